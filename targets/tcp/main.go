// Zoo target: a TCP line server, and what it does with the connections it holds when SIGTERM arrives.
//
//	graceful       stop accepting; every connection finishes the request in hand (and reads a request already
//	               on the wire, 100 ms), answers it, then closes; exit 0 once all are closed (5 s cap)
//	close-at-once  close the listener and every connection at once and exit 0: requests in hand get no reply
//
// Protocol, one line each way: "PUT <id>" is answered "OK <id>" after ZOO_SLOW_MS (300) ms of work, "PING" with
// "PONG", anything else with "ERR". A connection may carry any number of requests, one after another.
// Environment: PORT (7070), ZOO_MODE (graceful), ZOO_SLOW_MS (300). SIGINT is handled like SIGTERM.
package main

import (
	"bufio"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	log.SetFlags(0)
	mode := env("ZOO_MODE", "graceful")
	if mode != "graceful" && mode != "close-at-once" {
		log.Fatalf("unknown ZOO_MODE %q (graceful, close-at-once)", mode)
	}
	slow, err := strconv.Atoi(env("ZOO_SLOW_MS", "300"))
	if err != nil {
		log.Fatalf("ZOO_SLOW_MS: %v", err)
	}
	ln, err := net.Listen("tcp", ":"+env("PORT", "7070"))
	if err != nil {
		log.Fatal(err)
	}
	s := &server{slow: time.Duration(slow) * time.Millisecond, conns: map[net.Conn]bool{}}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go s.accept(ln)
	log.Printf("listening on %s (mode %s)", ln.Addr(), mode)

	sig := <-stop
	log.Printf("%v: shutting down (%s)", sig, mode)
	ln.Close()
	if mode == "close-at-once" {
		s.closeAll()
		os.Exit(0)
	}
	s.drain()
	log.Printf("all connections closed")
}

type server struct {
	slow     time.Duration
	mu       sync.Mutex
	conns    map[net.Conn]bool
	draining bool
	wg       sync.WaitGroup
}

func (s *server) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.draining {
			s.mu.Unlock()
			c.Close()
			continue
		}
		s.conns[c] = true
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(c)
	}
}

// serve answers requests one after another; once draining, it answers what it reads and then closes.
func (s *server) serve(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		reply := s.handle(strings.TrimSpace(line))
		if _, err := c.Write([]byte(reply + "\n")); err != nil {
			return
		}
		s.mu.Lock()
		draining := s.draining
		s.mu.Unlock()
		if draining {
			return
		}
	}
}

func (s *server) handle(line string) string {
	switch {
	case line == "PING":
		return "PONG"
	case strings.HasPrefix(line, "PUT "):
		time.Sleep(s.slow)
		return "OK " + strings.TrimPrefix(line, "PUT ")
	default:
		return "ERR"
	}
}

// drain lets every connection finish the request in hand: an idle one still reads for 100 ms, so a request
// already on the wire is answered rather than dropped, then closes.
func (s *server) drain() {
	s.mu.Lock()
	s.draining = true
	for c := range s.conns {
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		fmt.Fprintln(os.Stderr, "drain: 5 s cap reached, closing what is left")
		s.closeAll()
	}
}

func (s *server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

func env(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

