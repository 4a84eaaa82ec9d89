package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"time"
)

// transfers: POST /transfer moves one unit in two steps, a debit then a credit, each a line appended to
// $DATA_DIR/transfers.log. The debit's checks take ZOO_DEBIT_MS (4), the credit ZOO_CREDIT_MS (3).
//
// transfer-unguarded holds the signals off between the two steps with signal.Stop "so a stop cannot leave a debit
// without its credit": that gives SIGTERM back its default action for the credit's ~3 ms, ~4 ms after the request
// came, and a TERM then kills the process at once (143; exit 2 as container PID 1) with the transfer half done. At
// one transfer a second that is about 0.3% of the time. The graceful mode is its twin: the same two steps with the
// signals left handled; the drain (srv.Shutdown) waits for a transfer in progress like for any other request.
//
// For the zoo matrix only, to put the window at a known instant: the first transfer started ZOO_WINDOW_AT_MS or more
// after listening takes ZOO_WINDOW_MS for its credit.
type transfers struct {
	mu        sync.Mutex // one transfer at a time: their signal.Stop and Notify never interleave
	log       *os.File
	n         int
	debit     time.Duration
	credit    time.Duration
	windowAt  time.Duration // -1: no placement
	window    time.Duration
	placed    bool
	listening time.Time
}

func newTransfers(dataDir string) *transfers {
	t := &transfers{debit: envMs("ZOO_DEBIT_MS", 4*time.Millisecond), credit: envMs("ZOO_CREDIT_MS", 3*time.Millisecond), windowAt: -1}
	if os.Getenv("ZOO_WINDOW_AT_MS") != "" {
		t.windowAt, t.window = envMs("ZOO_WINDOW_AT_MS", 0), envMs("ZOO_WINDOW_MS", t.credit)
	}
	f, err := os.OpenFile(filepath.Join(dataDir, "transfers.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	t.log = f
	return t
}

func (s *service) handleTransfer(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	t := s.transfers
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
	id := t.n
	fmt.Fprintf(t.log, "debit %d\n", id) // step 1
	time.Sleep(t.debit)
	credit := t.credit
	if t.windowAt >= 0 && !t.placed && time.Since(t.listening) >= t.windowAt {
		t.placed, credit = true, t.window
	}
	if s.mode == "transfer-unguarded" {
		// The bug: signal.Stop gives every signal no other channel wants back its default action.
		signal.Stop(s.signals)
		defer signal.Notify(s.signals, s.handled...) // before the unlock (deferred calls run last in, first out)
	}
	time.Sleep(credit)
	fmt.Fprintf(t.log, "credit %d\n", id) // step 2
	fmt.Fprintf(w, "transferred %d\n", id)
}
