// Zoo target: one small HTTP service whose shutdown handling is chosen by ZOO_MODE.
// "graceful" is the correct service; every other mode is graceful with exactly one thing broken,
// each reproducing a real signal-handling bug pattern.
//
//	graceful         TERM/INT start one drain (later ones are ignored): open streams say "bye", in-flight
//	                 requests finish (5 s cap), the helper child is stopped, buffered writes are flushed, exit 0.
//	                 HUP reopens $DATA_DIR/config, USR1 logs a stats line.
//	unread-notify    signal.Notify registers a channel nobody reads: TERM/INT are swallowed, never acted on
//	sigint-only      only SIGINT is handled; SIGTERM keeps Go's default action and kills the process
//	                 (killed by SIGTERM, 143; as container PID 1 the kernel refuses the kill and Go exits 2)
//	return-on-close  main returns once Serve returns ErrServerClosed, i.e. when Shutdown *starts*: in-flight requests cut
//	short-deadline   the Shutdown deadline (100 ms) is shorter than a request; when it expires we exit 0 anyway
//	stream-forever   streams never hear of the shutdown and Shutdown has no deadline: the drain hangs until SIGKILL
//	double-close     every TERM/INT runs close(quit), no sync.Once: a second signal during the drain panics (exit 2)
//	repeat-stops     lighttpd-like: a second TERM/INT during the drain means "stop now": exit 1 at once, the
//	                 requests in flight cut (graceful, which ignores it and finishes the drain, is its twin)
//	exit-no-flush    os.Exit(0) after the drain skips the deferred flush: acknowledged writes are lost
//	hup-leak         SIGHUP opens the config again but never closes the old handle: one fd leaked per reload
//	hup-socket-leak  every reload makes a new client for its dependency (implies ZOO_RELOAD_DIAL=1) and drops the
//	                 old one without closing its idle keep-alive connection: two sockets leaked per reload
//	hup-unhandled    SIGHUP is not in Notify; Go's default action for HUP kills the process (logrotate's "kill -HUP"),
//	                 129, or exit 2 as container PID 1
//	unbuffered-notify signal.Notify on an unbuffered channel: a TERM that arrives during a slow HUP reload
//	                 (ZOO_RELOAD_MS) is dropped, and the service never stops
//	watchdog-wallclock a lease watchdog that exits 1 when its lease went unrenewed for a second, even when the
//	                 whole process was merely frozen (ZOO_WATCHDOG=1 starts the fixed one in any mode)
//	probe            not a bug: logs "probe: <signal number> <CLOCK_MONOTONIC ns>" for every signal it receives
//	                 (ZOO_PROBE_HOLD=1: TERM/INT are only logged, so only a SIGKILL ends it)
//	orphan-helper    shutdown forgets the helper child (implies ZOO_HELPER=1): it outlives the service
//	slow-init-unguarded a slow initialisation (ZOO_INIT_MS, 1500) holds $DATA_DIR/init.lock and writes
//	                 $DATA_DIR/state.partial before any signal handling is installed: a TERM during it keeps Go's
//	                 default action (143, or exit 2 as container PID 1), leaving the lock and half-written state
//	slow-init        the fixed twin: TERM/INT handling is installed first, and a TERM during the initialisation
//	                 abandons it cleanly (partial state and lock removed, exit 0); then as graceful
//	reopen-unguarded a rare window (implies ZOO_REOPEN_MS=700): every 700 ms it logs "zoo: reopening logs" and
//	                 reopens $DATA_DIR/access.log with its signals held off by signal.Stop, which gives them back
//	                 their default action for the reopen's ~7 ms (ZOO_REOPEN_TAKES_MS): a TERM then kills it at once
//	                 (143; exit 2 as container PID 1), about 1% of the time. ZOO_REOPEN_MS=700 in graceful mode is its
//	                 twin: the same loop with the signals left handled, the shutdown waiting for a reopen in progress
//	transfer-unguarded a rare window tied to a request's phase (transfer.go): POST /transfer debits, then credits, and
//	                 holds its signals off with signal.Stop between the two steps, so a TERM in the credit's ~3 ms
//	                 (~4 ms after the request came) kills it at once (143; exit 2 as container PID 1), the transfer
//	                 half done: at one transfer a second about 0.3% of the time. The graceful mode is its twin.
//	drain-keeps-alive a hand-written drain: TERM/INT close the listener and give the requests in flight a fixed 3 s,
//	                 then exit, never closing the idle keep-alive connections (Server.Shutdown does, and answers
//	                 "Connection: close" once draining): clients keep sending on them through the drain, and the
//	                 requests in flight at the exit are cut. Seen in a rolling update (rollouts.md).
//	ready-before-warm /healthz answers 200 as soon as it listens, while the other endpoints answer 503 for the
//	                 ZOO_WARM_MS (1000) their cache takes to load in the background; in the other modes /healthz
//	                 also answers 503 until then (the twin)
//	ready-then-reconnect /healthz (which checks its dependency's connection) answers 200 as soon as it listens, on
//	                 the connection it opened at start; ZOO_RECONNECT_AT_MS (500) later it loads its settings and
//	                 reconnects with them, and /healthz answers 503 for the ZOO_RECONNECT_MS (600) that takes, while
//	                 every other endpoint goes on serving. Ready, then not: a rollout that counted it available has
//	                 already stopped an old replica (rollouts.md). In the other modes, with ZOO_RECONNECT_AT_MS set,
//	                 /healthz answers 503 until the reconnect is done (the twin)
//
// Environment: PORT (8080), ZOO_MODE (graceful), DATA_DIR (/tmp), ZOO_SLOW_MS (500), ZOO_START_MS (0: how long it
// takes to start listening, as a service that loads its data first would), ZOO_RELOAD_DIAL=1 (a reload
// also makes a new HTTP client for a dependency — this service's own /healthz on loopback — and checks it),
// ZOO_HELPER=1 (start a helper child), ZOO_SPAWN=1 (orphan a short-lived grandchild every 100 ms, see children.go),
// ZOO_ROLE (internal: set when the binary re-executes itself as helper, spawner or sleeper), ZOO_REOPEN_MS (reopen
// access.log this often, 0: never), ZOO_REOPEN_TAKES_MS (7), and for the zoo matrix only, to put a window at a
// known instant: ZOO_WINDOW_AT_MS (the first reopen this long after listening, not one period) and ZOO_WINDOW_MS (how
// long that first one takes), ZOO_HEALTH_DRAIN_MS (0: at TERM/INT, /healthz answers 503 for this long while the
// listener still accepts and serves, so a load balancer's health checks take it out before the drain), ZOO_WARM_MS (0; 1000 in ready-before-warm: how long after listening its cache loads in
// the background, every endpoint answering 503 meanwhile, /healthz too unless ready-before-warm).
//
// Files in DATA_DIR: server.pid (removed on a clean exit), writes.log, config; the slow-init modes: init.lock and
// state.partial during the initialisation, state once it is complete.
// Endpoints: GET /healthz, GET /slow (ZOO_SLOW_MS, then "done"), GET /stream (chunked "tick" every 100 ms),
// POST /write?id=N (appends "N" to $DATA_DIR/writes.log through a buffer flushed every second, acks first),
// GET /read?id=N (200 "stored" when N is a line of $DATA_DIR/writes.log as it is on disk, else 404: asked of a
// second instance started over the same data directory, it says which writes survived the first one).
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

var modes = map[string]bool{
	"graceful": true, "unread-notify": true, "sigint-only": true, "return-on-close": true,
	"short-deadline": true, "stream-forever": true, "double-close": true, "repeat-stops": true, "exit-no-flush": true,
	"hup-leak": true, "hup-socket-leak": true, "hup-unhandled": true, "orphan-helper": true, "unbuffered-notify": true,
	"watchdog-wallclock": true, "probe": true, "slow-init-unguarded": true, "slow-init": true, "reopen-unguarded": true,
	"transfer-unguarded": true, "drain-keeps-alive": true, "ready-before-warm": true,
	"ready-then-reconnect": true,
}

type service struct {
	mode    string
	port    string
	dataDir string
	slow    time.Duration
	// reloadTime is how long a SIGHUP reload takes (ZOO_RELOAD_MS).
	reloadTime time.Duration
	startTime  time.Duration // how long it loads before listening (ZOO_START_MS)
	reloads    chan struct{} // pending reload requests, at most one
	srv        *http.Server
	ln         net.Listener // drain-keeps-alive closes it alone
	inFlight   atomic.Int64 // requests being handled now
	draining   atomic.Bool  // ZOO_HEALTH_DRAIN_MS: /healthz fails from the signal on
	warmUntil  time.Time    // before this, the cache is still loading (ZOO_WARM_MS)
	// ZOO_RECONNECT_AT_MS: the dependency is reconnected with the loaded settings in [reconnectAt, reconnectUntil).
	reconnectAt, reconnectUntil time.Time

	quit     chan struct{} // closed when the shutdown begins
	quitOnce sync.Once
	drained  chan struct{} // closed when the drain is over

	writes *writeLog
	config *os.File   // reopened on SIGHUP
	leaked []*os.File // hup-leak only: old handles, kept reachable so Go's finalizer cannot close them for us
	// dependency is the client for a dependency, made anew on each reload (ZOO_RELOAD_DIAL=1 or hup-socket-leak).
	dependency  *http.Transport
	droppedDeps []*http.Transport // hup-socket-leak only: old clients, dropped with their connection still open
	helper      *exec.Cmd         // ZOO_HELPER=1

	requests atomic.Int64
	streams  atomic.Int64

	signals   chan os.Signal // the signal loop's channel, and the signals it is notified of
	handled   []os.Signal
	reopenMu  sync.Mutex // held while access.log is swapped; the shutdown takes it before exiting
	accessLog *os.File
	transfers *transfers // POST /transfer (transfer.go)
}

func main() {
	// `server hook <ms>`: a stop hook (preStop exec, ExecStop) that logs when it runs, for sigstorm's stop-model tests.
	if len(os.Args) == 3 && os.Args[1] == "hook" {
		ms, _ := strconv.Atoi(os.Args[2])
		fmt.Printf("hook: start %d\n", monotonicNs())
		time.Sleep(time.Duration(ms) * time.Millisecond)
		fmt.Printf("hook: end %d\n", monotonicNs())
		return
	}
	if role := os.Getenv("ZOO_ROLE"); role != "" {
		runRole(role)
		return
	}
	mode := env("ZOO_MODE", "graceful")
	var early chan os.Signal // nil (never ready to receive) unless handling comes first
	if mode == "slow-init" {
		// The fix: handling installed before anything else, so a TERM during the initialisation is ours to act on.
		early = make(chan os.Signal, 1)
		signal.Notify(early, syscall.SIGTERM, syscall.SIGINT)
	}
	if mode == "slow-init" || mode == "slow-init-unguarded" {
		slowInit(env("DATA_DIR", "/tmp"), early)
	}
	s := newService()
	if early != nil {
		go func() {
			for sig := range early {
				s.onSignal(sig)
			}
		}()
	}
	s.run()
}

// slowInit loads the service's state before it starts (ZOO_INIT_MS): init.lock is held and state.partial written
// piece by piece, renamed to state once complete. A TERM on `early` abandons it cleanly; with no handling yet
// (slow-init-unguarded, early nil) Go's default action kills the process halfway.
func slowInit(dataDir string, early <-chan os.Signal) {
	ms, err := strconv.Atoi(env("ZOO_INIT_MS", "1500"))
	if err != nil || ms < 0 {
		log.Fatalf("zoo: bad ZOO_INIT_MS %q", os.Getenv("ZOO_INIT_MS"))
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		log.Fatal(err)
	}
	lock, partial := filepath.Join(dataDir, "init.lock"), filepath.Join(dataDir, "state.partial")
	if err := os.WriteFile(lock, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(partial)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("zoo: initialising for %d ms", ms)
	const pieces = 15
	for i := 0; i < pieces; i++ {
		fmt.Fprintf(f, "piece %d\n", i)
		select {
		case sig := <-early:
			log.Printf("zoo: %v received during the initialisation, abandoning it", sig)
			f.Close()
			os.Remove(partial)
			os.Remove(lock)
			os.Exit(0)
		case <-time.After(time.Duration(ms) * time.Millisecond / pieces):
		}
	}
	f.Close()
	if err := os.Rename(partial, filepath.Join(dataDir, "state")); err != nil {
		log.Fatal(err)
	}
	os.Remove(lock)
}

func newService() *service {
	s := &service{
		mode:    env("ZOO_MODE", "graceful"),
		port:    env("PORT", "8080"),
		dataDir: env("DATA_DIR", "/tmp"),
		quit:    make(chan struct{}),
		reloads: make(chan struct{}, 1),
		drained: make(chan struct{}),
	}
	if !modes[s.mode] {
		log.Fatalf("zoo: unknown ZOO_MODE %q", s.mode)
	}
	ms, err := strconv.Atoi(env("ZOO_SLOW_MS", "500"))
	if err != nil || ms < 0 {
		log.Fatalf("zoo: bad ZOO_SLOW_MS %q", os.Getenv("ZOO_SLOW_MS"))
	}
	s.slow = time.Duration(ms) * time.Millisecond
	reloadMs, err := strconv.Atoi(env("ZOO_RELOAD_MS", "0"))
	if err != nil || reloadMs < 0 {
		log.Fatalf("zoo: bad ZOO_RELOAD_MS %q", os.Getenv("ZOO_RELOAD_MS"))
	}
	s.reloadTime = time.Duration(reloadMs) * time.Millisecond
	startMs, err := strconv.Atoi(env("ZOO_START_MS", "0"))
	if err != nil || startMs < 0 {
		log.Fatalf("zoo: bad ZOO_START_MS %q", os.Getenv("ZOO_START_MS"))
	}
	s.startTime = time.Duration(startMs) * time.Millisecond
	if err := os.MkdirAll(s.dataDir, 0o755); err != nil { // a FROM scratch image has no /tmp
		log.Fatal(err)
	}
	if s.writes, err = openWriteLog(filepath.Join(s.dataDir, "writes.log")); err != nil {
		log.Fatal(err)
	}
	if s.config, err = s.openConfig(); err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", s.handleHealthz)
	mux.HandleFunc("/slow", s.handleSlow)
	mux.HandleFunc("/stream", s.handleStream)
	mux.HandleFunc("/write", s.handleWrite)
	mux.HandleFunc("/read", s.handleRead)
	s.transfers = newTransfers(s.dataDir)
	mux.HandleFunc("/transfer", s.handleTransfer)
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		if r.URL.Path != "/healthz" && time.Now().Before(s.warmUntil) {
			http.Error(w, "warming up", http.StatusServiceUnavailable)
			return
		}
		mux.ServeHTTP(w, r)
	})}
	return s
}

func (s *service) run() {
	time.Sleep(s.startTime) // loading its data: nothing listens yet
	ln, err := net.Listen("tcp", ":"+s.port)
	if err != nil {
		log.Fatal(err)
	}
	s.ln = ln
	warmDefault := 0 * time.Millisecond
	if s.mode == "ready-before-warm" {
		warmDefault = time.Second
	}
	s.warmUntil = time.Now().Add(envMs("ZOO_WARM_MS", warmDefault)) // the cache loads in the background from now
	reconnectDefault := 0 * time.Millisecond
	if s.mode == "ready-then-reconnect" {
		reconnectDefault = 500 * time.Millisecond
	}
	if at := envMs("ZOO_RECONNECT_AT_MS", reconnectDefault); at > 0 {
		s.reconnectAt = time.Now().Add(at)
		s.reconnectUntil = s.reconnectAt.Add(envMs("ZOO_RECONNECT_MS", 600*time.Millisecond))
	}
	defer s.writes.close() // the flush on the way out; exit-no-flush skips it with os.Exit
	pidFile := filepath.Join(s.dataDir, "server.pid")
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	defer os.Remove(pidFile) // skipped by os.Exit too: a stale pid file blocks the next start in many init scripts
	go s.writes.flushEvery(time.Second)
	if os.Getenv("ZOO_HELPER") == "1" || s.mode == "orphan-helper" {
		s.startHelper()
	}
	if os.Getenv("ZOO_SPAWN") == "1" {
		go s.spawnLoop()
	}
	if s.mode == "watchdog-wallclock" || os.Getenv("ZOO_WATCHDOG") == "1" {
		go s.watchdog()
	}
	go func() { <-s.quit; s.shutdown() }()
	go func() {
		for range s.reloads {
			s.reload()
		}
	}()
	s.notifySignals() // before the "listening" line: a signal sent right after readiness must find its handler
	reopenEvery := envMs("ZOO_REOPEN_MS", 0)
	if s.mode == "reopen-unguarded" && os.Getenv("ZOO_REOPEN_MS") == "" {
		reopenEvery = 700 * time.Millisecond
	}
	if reopenEvery > 0 {
		go s.reopenLoop(reopenEvery, envMs("ZOO_REOPEN_TAKES_MS", 7*time.Millisecond))
	}
	s.transfers.listening = time.Now()
	log.Printf("zoo: mode=%s pid=%d listening on :%s", s.mode, os.Getpid(), s.port)

	if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) && !(s.mode == "drain-keeps-alive" && errors.Is(err, net.ErrClosed)) {
		log.Fatal(err)
	}
	if s.mode == "return-on-close" {
		// The bug: Serve returns ErrServerClosed as soon as Shutdown has closed the listener, not when the
		// drain is done. Returning here ends the process while requests are still being served.
		log.Printf("zoo: server closed, exiting")
		return
	}
	<-s.drained
	s.reopenMu.Lock() // never mid-reopen: access.log is whole when we go (held until the exit)
	log.Printf("zoo: drained, exiting")
	if s.mode == "exit-no-flush" {
		// The bug: os.Exit does not run deferred calls, so acknowledged writes still in the buffer are lost.
		os.Exit(0)
	}
}

// shutdown drains: stop accepting, wait for in-flight requests, stop the helper. The caller flushes writes.
func (s *service) shutdown() {
	if d := envMs("ZOO_HEALTH_DRAIN_MS", 0); d > 0 {
		// Fail the health check first and keep serving: the balancer takes us out before the listener closes.
		s.draining.Store(true)
		log.Printf("zoo: failing /healthz for %v before the drain", d)
		time.Sleep(d)
	}
	ctx, cancel := s.drainContext()
	defer cancel()
	if s.mode == "drain-keeps-alive" {
		s.drainByHand()
	} else if err := s.srv.Shutdown(ctx); err != nil {
		log.Printf("zoo: shutdown: %v", err)
	}
	s.stopHelper()
	close(s.drained)
}

// drainByHand is drain-keeps-alive's bug: the listener closed and a fixed time given to the requests in flight, but
// the idle keep-alive connections are never closed and keep-alives stay on, so clients go on sending on them until
// the exit cuts what is in flight.
func (s *service) drainByHand() {
	s.ln.Close()
	time.Sleep(3 * time.Second)
	log.Printf("zoo: drain over, %d request(s) still in flight", s.inFlight.Load())
}

func (s *service) drainContext() (context.Context, context.CancelFunc) {
	switch s.mode {
	case "short-deadline":
		// The bug: a deadline shorter than the slowest request; when it expires the drain is declared over anyway.
		return context.WithTimeout(context.Background(), 100*time.Millisecond)
	case "stream-forever":
		// The bug (with streamQuit): no deadline, so one endless response keeps the drain open forever.
		return context.Background(), func() {}
	}
	return context.WithTimeout(context.Background(), 5*time.Second)
}

// ---- signals ----

func (s *service) notifySignals() {
	if s.mode == "probe" {
		go probeSignals(s)
		return
	}
	sigs := []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1}
	switch s.mode {
	case "unread-notify":
		// The bug: the channel is registered, so Go no longer applies the default action,
		// but nothing ever receives from it.
		unread := make(chan os.Signal, 1)
		signal.Notify(unread, syscall.SIGTERM, syscall.SIGINT)
		sigs = []os.Signal{syscall.SIGHUP, syscall.SIGUSR1}
	case "sigint-only":
		// The bug: written for Ctrl-C in a terminal; orchestrators send SIGTERM.
		sigs = []os.Signal{syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1}
	case "hup-unhandled":
		// The bug: nobody handles HUP, and Go's default action for an un-notified SIGHUP is to exit.
		sigs = []os.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1}
	}
	ch := make(chan os.Signal, 4) // buffered: signal.Notify drops a signal it cannot hand over at once
	if s.mode == "unbuffered-notify" {
		// The bug: an unbuffered channel. signal.Notify never blocks, so a signal that
		// arrives while the loop below is busy (a slow reload) is dropped, SIGTERM included.
		ch = make(chan os.Signal)
	}
	s.signals, s.handled = ch, sigs
	signal.Notify(ch, sigs...)
	go func() {
		for sig := range ch {
			s.onSignal(sig)
		}
	}()
}

func (s *service) onSignal(sig os.Signal) {
	switch sig {
	case syscall.SIGTERM, syscall.SIGINT:
		s.beginShutdown(sig)
	case syscall.SIGHUP:
		if s.mode == "unbuffered-notify" || s.mode == "hup-leak" {
			s.reload() // on the signal loop: while it runs, no other signal is received
			return
		}
		// Off the signal loop, and coalesced: a storm of HUPs is one pending reload, and the loop stays free
		// for SIGTERM (even a buffered channel fills up behind a slow synchronous reload).
		select {
		case s.reloads <- struct{}{}:
		default:
		}
	case syscall.SIGUSR1:
		log.Printf("zoo: stats requests=%d open_streams=%d", s.requests.Load(), s.streams.Load())
	}
}

func (s *service) beginShutdown(sig os.Signal) {
	if s.mode == "double-close" {
		// The bug: "close(quit) means stop" without sync.Once; the second TERM/INT panics
		// with "close of closed channel" in the middle of the drain.
		log.Printf("zoo: %v received, draining", sig)
		close(s.quit)
		return
	}
	first := false
	s.quitOnce.Do(func() { first = true; close(s.quit) })
	if first {
		log.Printf("zoo: %v received, draining", sig)
	} else if s.mode == "repeat-stops" {
		// The bug (by the default policy): as lighttpd's SIGINT handler does, a repeated stop signal is "stop now".
		// Production sends stop signals twice (a process-group kill and a forwarding parent): the drain is lost.
		log.Printf("zoo: %v received during the drain, stopping now", sig)
		os.Exit(1)
	} else {
		log.Printf("zoo: %v received during the drain, ignored", sig)
	}
}

func (s *service) openConfig() (*os.File, error) {
	return os.OpenFile(filepath.Join(s.dataDir, "config"), os.O_RDONLY|os.O_CREATE, 0o644)
}

func (s *service) reload() {
	time.Sleep(s.reloadTime) // fetching the new configuration (ZOO_RELOAD_MS)
	f, err := s.openConfig()
	if err != nil {
		log.Printf("zoo: reload: %v", err)
		return
	}
	old := s.config
	s.config = f
	if s.mode == "hup-leak" {
		// The bug: the previous handle is dropped without Close; every reload costs one descriptor.
		s.leaked = append(s.leaked, old)
	} else {
		old.Close()
	}
	if s.mode == "hup-socket-leak" || os.Getenv("ZOO_RELOAD_DIAL") == "1" {
		s.redial()
	}
	log.Printf("zoo: reloaded")
}

// redial replaces the dependency's client, as a reload that may point it elsewhere does, and checks the new one.
func (s *service) redial() {
	t := &http.Transport{} // no idle timeout: a keep-alive connection stays until someone closes it
	resp, err := (&http.Client{Transport: t, Timeout: 2 * time.Second}).Get("http://127.0.0.1:" + s.port + "/healthz")
	if err != nil {
		log.Printf("zoo: reload: dependency: %v", err)
	} else {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close() // the connection goes back to t's pool, still open
	}
	old := s.dependency
	s.dependency = t
	if old == nil {
		return
	}
	if s.mode == "hup-socket-leak" {
		// The bug: the old client is dropped, not closed; its pooled connection (and the server's end of it,
		// in this same process) stays open. Kept reachable so nothing closes it for us.
		s.droppedDeps = append(s.droppedDeps, old)
	} else {
		old.CloseIdleConnections()
	}
}

// reopenLoop reopens access.log every period, as a service told by logrotate to reopen its files does on a timer;
// each reopen takes `takes` (closing and syncing the old file). The first comes one period after listening, or at
// ZOO_WINDOW_AT_MS lasting ZOO_WINDOW_MS (the zoo matrix's known instant).
func (s *service) reopenLoop(period, takes time.Duration) {
	next, first := period, takes
	if os.Getenv("ZOO_WINDOW_AT_MS") != "" {
		next, first = envMs("ZOO_WINDOW_AT_MS", 0), envMs("ZOO_WINDOW_MS", takes)
	}
	for {
		time.Sleep(next)
		s.reopenLogs(first)
		next, first = period, takes
	}
}

func (s *service) reopenLogs(takes time.Duration) {
	log.Printf("zoo: reopening logs")
	if s.mode == "reopen-unguarded" {
		// The bug: signals held off "so a stop cannot land half-way through the swap". signal.Stop gives every
		// signal no other channel wants back its default action, so a TERM during the reopen kills the process.
		signal.Stop(s.signals)
		defer signal.Notify(s.signals, s.handled...)
	}
	// The correct way: signals stay handled; the swap holds reopenMu, which the shutdown takes before exiting.
	s.reopenMu.Lock()
	defer s.reopenMu.Unlock()
	time.Sleep(takes) // closing and syncing the old file
	f, err := os.OpenFile(filepath.Join(s.dataDir, "access.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		log.Printf("zoo: reopen: %v", err)
		return
	}
	if s.accessLog != nil {
		s.accessLog.Close()
	}
	s.accessLog = f
}

// watchdog keeps a lease alive: it renews it every 100 ms, and a lease not renewed for a second is lost.
// watchdog-wallclock treats any such gap as "we lost the lease, another instance may be serving" and exits 1,
// so merely freezing the process (SIGSTOP, a cgroup freeze, a paused VM) for over a second kills it. The fixed
// one sees that its own ticks stopped too, so the whole process was frozen, and renews the lease instead.
func (s *service) watchdog() {
	const every, limit = 100 * time.Millisecond, time.Second
	last := time.Now()
	for now := range time.Tick(every) {
		if gap := now.Sub(last); gap > limit {
			if s.mode == "watchdog-wallclock" {
				log.Printf("zoo: watchdog: lease not renewed for %v, assuming it is lost; exiting", gap.Round(time.Millisecond))
				os.Exit(1)
			}
			log.Printf("zoo: watchdog: frozen for %v; renewing the lease", gap.Round(time.Millisecond))
		}
		last = now
	}
}

// probeSignals logs the CLOCK_MONOTONIC time at which each signal reaches the process, for sigstorm's timing
// benchmark (sigstorm's own clock is the same kernel clock). SIGTERM/SIGINT still stop it gracefully, unless
// ZOO_PROBE_HOLD=1: then they are only logged, and only a SIGKILL ends it (to see an orchestrator's final kill).
func probeSignals(s *service) {
	ch := make(chan os.Signal, 4096)
	signal.Notify(ch, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP, syscall.SIGWINCH, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCONT, syscall.SIGQUIT)
	hold := os.Getenv("ZOO_PROBE_HOLD") == "1"
	type receipt struct {
		sig os.Signal
		ns  int64
	}
	logged := make(chan receipt, 4096)
	go func() { // logging is slow: keep it off the receiving loop so back-to-back signals are timed apart
		for r := range logged {
			log.Printf("probe: %d %d", int(r.sig.(syscall.Signal)), r.ns)
		}
	}()
	for sig := range ch {
		logged <- receipt{sig, monotonicNs()}
		if (sig == syscall.SIGTERM || sig == syscall.SIGINT) && !hold {
			s.beginShutdown(sig)
		}
	}
}

func monotonicNs() int64 {
	var ts syscall.Timespec
	const clockMonotonic = 1
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockMonotonic, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

// ---- handlers ----

// handleHealthz is the readiness endpoint: not ready while the cache loads, except in ready-before-warm (the bug), nor
// once a drain that fails it first has begun (ZOO_HEALTH_DRAIN_MS), nor until the dependency has been reconnected
// with the loaded settings, except in ready-then-reconnect (the bug: ready on the first connection, then not while
// it reconnects).
func (s *service) handleHealthz(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() || s.mode != "ready-before-warm" && time.Now().Before(s.warmUntil) {
		http.Error(w, "warming up", http.StatusServiceUnavailable)
		return
	}
	if now := time.Now(); now.Before(s.reconnectUntil) && (s.mode != "ready-then-reconnect" || !now.Before(s.reconnectAt)) {
		http.Error(w, "dependency reconnecting", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprint(w, "ok\n")
}

func (s *service) handleSlow(w http.ResponseWriter, r *http.Request) {
	time.Sleep(s.slow)
	w.Header().Set("Content-Length", "5")
	fmt.Fprint(w, "done\n")
}

// handleStream sends "tick" every 100 ms until the client leaves or the shutdown begins;
// then it says "bye" and returns, so the client sees a complete chunked body.
func (s *service) handleStream(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "no streaming", http.StatusInternalServerError)
		return
	}
	s.streams.Add(1)
	defer s.streams.Add(-1)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	quit := s.streamQuit()
	for {
		fmt.Fprint(w, "tick\n")
		flusher.Flush()
		select {
		case <-tick.C:
		case <-quit:
			fmt.Fprint(w, "bye\n")
			return
		case <-r.Context().Done():
			return
		}
	}
}

func (s *service) streamQuit() <-chan struct{} {
	if s.mode == "stream-forever" {
		// The bug: long-lived responses are not told about the shutdown (a nil channel never fires).
		return nil
	}
	return s.quit
}

// handleWrite acknowledges once the line is buffered, not once it is on disk — the usual trade-off
// that makes the final flush part of a correct shutdown.
func (s *service) handleWrite(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	id := r.URL.Query().Get("id")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		http.Error(w, "id must be a number", http.StatusBadRequest)
		return
	}
	if err := s.writes.append(id); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprint(w, "ack\n")
}

// handleRead answers from the file alone, not from this instance's buffer: what is on disk is what was kept.
func (s *service) handleRead(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		http.Error(w, "id must be a number", http.StatusBadRequest)
		return
	}
	f, err := os.Open(filepath.Join(s.dataDir, "writes.log"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if lines.Text() == id {
			fmt.Fprint(w, "stored\n")
			return
		}
	}
	if err := lines.Err(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.Error(w, "not stored", http.StatusNotFound)
}

// ---- buffered write log ----

type writeLog struct {
	mu     sync.Mutex
	f      *os.File
	w      *bufio.Writer
	closed bool
}

func openWriteLog(path string) (*writeLog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &writeLog{f: f, w: bufio.NewWriter(f)}, nil
}

func (l *writeLog) append(id string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("write log closed")
	}
	_, err := l.w.WriteString(id + "\n")
	return err
}

func (l *writeLog) flushEvery(d time.Duration) {
	for range time.Tick(d) {
		l.mu.Lock()
		if !l.closed {
			if err := l.w.Flush(); err != nil {
				log.Printf("zoo: flush: %v", err)
			}
		}
		l.mu.Unlock()
	}
}

func (l *writeLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	n := l.w.Buffered()
	err := l.w.Flush()
	if err == nil {
		err = l.f.Sync()
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		log.Printf("zoo: writes: %v", err)
		return
	}
	log.Printf("zoo: writes flushed (%d buffered bytes)", n)
}

// envMs reads a number of milliseconds (def when unset).
func envMs(name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	ms, err := strconv.Atoi(v)
	if err != nil || ms < 0 {
		log.Fatalf("zoo: bad %s %q", name, v)
	}
	return time.Duration(ms) * time.Millisecond
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
