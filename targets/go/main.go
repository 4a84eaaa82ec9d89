// Zoo target: one small HTTP service whose shutdown handling is chosen by ZOO_MODE.
// Each mode reproduces one real signal-handling pattern; "graceful" is the fixed twin.
//
//	graceful       SIGTERM and SIGINT drain in-flight requests via Shutdown, exit 0
//	unread-notify  signal.Notify registers a channel nobody reads: signals are swallowed, never acted on
//	sigint-only    only SIGINT is handled; SIGTERM keeps Go's default action and kills the process (exit 143)
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	mode := os.Getenv("ZOO_MODE")
	if mode == "" {
		mode = "graceful"
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(500 * time.Millisecond)
		fmt.Fprintln(w, "done")
	})
	srv := &http.Server{Addr: ":" + port, Handler: mux}
	log.Printf("zoo: mode=%s pid=%d listening on :%s", mode, os.Getpid(), port)

	switch mode {
	case "graceful":
		serveUntilSignal(srv, syscall.SIGTERM, syscall.SIGINT)
	case "sigint-only":
		serveUntilSignal(srv, syscall.SIGINT)
	case "unread-notify":
		// The bug: the channel is registered, so Go no longer applies the default action,
		// but main blocks in ListenAndServe and nothing ever receives from it.
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
		if err := srv.ListenAndServe(); err != nil {
			log.Fatal(err)
		}
	default:
		log.Fatalf("zoo: unknown ZOO_MODE %q", mode)
	}
}

// serveUntilSignal serves until one of sigs arrives, then drains with a bounded Shutdown
// and returns only after the drain is over.
func serveUntilSignal(srv *http.Server, sigs ...os.Signal) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	done := make(chan struct{})
	go func() {
		s := <-ch
		log.Printf("zoo: %v received, draining", s)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			log.Printf("zoo: shutdown: %v", err)
		}
		close(done)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	<-done
	log.Printf("zoo: drained, exiting")
}
