// Zoo stack target: an HTTP API that depends on Redis, whose shutdown handling is chosen by ZOO_MODE.
// "graceful" is the correct service; every other mode is graceful with exactly one thing broken,
// each reproducing a real bug with a dependency on shutdown (bug class 15).
//
//	graceful           TERM/INT start one shutdown (later ones are ignored): srv.Shutdown lets in-flight requests
//	                   finish (5 s cap), then the instance deregisters (SREM instances <pid>), each attempt on a
//	                   fresh connection, 100 ms apart, giving up after 2 s in all; the pool and the control
//	                   connection are closed, exit 0. POST /write answers 200 only once Redis stored the id.
//	pool-closed        the signal closes the Redis pool BEFORE srv.Shutdown: requests in flight find it closed and
//	                   answer 500 (in-flight requests lost on a plain SIGTERM with traffic)
//	retry-forever      deregistration retries on the same long-lived control connection, never redialling, with no
//	                   overall deadline: once that connection was reset (the API cut off from Redis while it
//	                   deregisters) every attempt fails at once, forever, until SIGKILL. With no fault it exits 0.
//	ack-before-commit  POST /write answers 200 at once and queues the id; a flusher SADDs the queue every 100 ms. On
//	                   shutdown one final flush (500 ms deadline); when Redis cannot be reached it drops the
//	                   acknowledged writes still queued and exits 0 anyway
//
// Environment: PORT (8080), REDIS_ADDR (host:port, 127.0.0.1:6379), ZOO_MODE (graceful), ZOO_SLOW_MS (300).
// At start it connects to Redis (retrying for up to 10 s, then exit 1) and registers with SADD instances <pid> on
// a control connection kept open for its whole life.
// Endpoints: GET /healthz (PING: 200 "ok", 503 when Redis does not answer), GET /slow (ZOO_SLOW_MS, then INCR hits:
// "hits N", 500 on a Redis error), POST /write?id=N (SADD acked N: the set acked holds every stored id).
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"sigstorm/zoo-redisconn"
)

var modes = map[string]bool{"graceful": true, "pool-closed": true, "retry-forever": true, "ack-before-commit": true}

const (
	opTimeout         = time.Second            // every Redis operation: dial, write and reply
	connectFor        = 10 * time.Second       // how long the start waits for Redis
	drainFor          = 5 * time.Second        // srv.Shutdown's deadline
	deregisterFor     = 2 * time.Second        // all deregistration attempts together
	retryEvery        = 100 * time.Millisecond // between deregistration attempts
	flushEvery        = 100 * time.Millisecond // ack-before-commit's background flusher
	finalFlushTimeout = 500 * time.Millisecond // ack-before-commit's last flush on shutdown
)

type stack struct {
	mode    string
	port    string
	slow    time.Duration
	pid     string
	srv     *http.Server
	pool    *pool
	control *redisconn.Conn // registered the instance; kept open for the whole life
	queue   *writeQueue     // ack-before-commit only
}

func main() {
	s := &stack{
		mode: env("ZOO_MODE", "graceful"),
		port: env("PORT", "8080"),
		pid:  strconv.Itoa(os.Getpid()),
		pool: &pool{addr: env("REDIS_ADDR", "127.0.0.1:6379")},
	}
	if !modes[s.mode] {
		log.Fatalf("stack: unknown ZOO_MODE %q", s.mode)
	}
	ms, err := strconv.Atoi(env("ZOO_SLOW_MS", "300"))
	if err != nil || ms < 0 {
		log.Fatalf("stack: bad ZOO_SLOW_MS %q", os.Getenv("ZOO_SLOW_MS"))
	}
	s.slow = time.Duration(ms) * time.Millisecond
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", s.handleHealthz)
	mux.HandleFunc("/slow", s.handleSlow)
	mux.HandleFunc("/write", s.handleWrite)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	s.run()
}

func (s *stack) run() {
	s.register()
	ln, err := net.Listen("tcp", ":"+s.port)
	if err != nil {
		log.Fatal(err)
	}
	if s.mode == "ack-before-commit" {
		s.queue = newWriteQueue()
		go s.queue.flushLoop(s.pool)
	}
	stopped := make(chan struct{})
	sigs := make(chan os.Signal, 4) // buffered: signal.Notify drops a signal it cannot hand over at once
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		sig := <-sigs
		log.Printf("stack: %v received, shutting down", sig)
		go func() {
			for sig := range sigs {
				log.Printf("stack: %v received during the shutdown, ignored", sig)
			}
		}()
		s.shutdown()
		close(stopped)
	}()
	log.Printf("stack: mode=%s pid=%s redis=%s", s.mode, s.pid, s.pool.addr)
	log.Printf("stack: listening on :%s", s.port) // after signal.Notify: a signal sent right after readiness is handled

	if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	<-stopped
	log.Printf("stack: stopped")
}

// register connects the control connection and adds this instance to the set instances, retrying for connectFor.
func (s *stack) register() {
	give := time.Now().Add(connectFor)
	for {
		c, err := redisconn.Dial(s.pool.addr, time.Now().Add(opTimeout))
		if err == nil {
			if _, err = c.Do(time.Now().Add(opTimeout), "SADD", "instances", s.pid); err == nil {
				s.control = c
				log.Printf("stack: registered as instance %s", s.pid)
				return
			}
			c.Close()
		}
		if time.Now().After(give) {
			log.Printf("stack: redis at %s not reachable for %v: %v", s.pool.addr, connectFor, err)
			os.Exit(1)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// shutdown drains the HTTP server, flushes what must be flushed, deregisters and closes the Redis connections.
func (s *stack) shutdown() {
	if s.mode == "pool-closed" {
		// The bug: the dependency's client is closed first, "to release resources"; the requests the drain below
		// is waiting for still need it, and fail.
		log.Printf("stack: closing the redis pool")
		s.pool.close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), drainFor)
	if err := s.srv.Shutdown(ctx); err != nil {
		log.Printf("stack: drain: %v", err)
	}
	cancel()
	log.Printf("stack: drained")
	if s.queue != nil {
		s.queue.finalFlush(s.pool)
	}
	if s.mode == "retry-forever" {
		s.deregisterOnControl()
	} else {
		s.deregister()
	}
	s.pool.close()
	s.control.Close()
}

// deregister removes this instance from the set instances: every attempt on a fresh connection (the control
// connection may have been reset meanwhile), retryEvery apart, giving up after deregisterFor in all.
func (s *stack) deregister() {
	give := time.Now().Add(deregisterFor)
	for attempt := 1; ; attempt++ {
		deadline := time.Now().Add(opTimeout)
		if deadline.After(give) {
			deadline = give
		}
		c, err := redisconn.Dial(s.pool.addr, deadline)
		if err == nil {
			_, err = c.Do(deadline, "SREM", "instances", s.pid)
			c.Close()
		}
		if err == nil {
			log.Printf("stack: deregistered (attempt %d)", attempt)
			return
		}
		if time.Now().Add(retryEvery).After(give) {
			log.Printf("stack: deregistration gave up after %d attempts in %v: %v", attempt, deregisterFor, err)
			return
		}
		time.Sleep(retryEvery)
	}
}

// deregisterOnControl is retry-forever's deregistration.
func (s *stack) deregisterOnControl() {
	for attempt := 1; ; attempt++ {
		// The bug: "the control connection is always there" — it retries on it until it works, with no overall
		// deadline. A connection that was reset fails every attempt at once, so this never ends.
		_, err := s.control.Do(time.Now().Add(opTimeout), "SREM", "instances", s.pid)
		if err == nil {
			log.Printf("stack: deregistered (attempt %d)", attempt)
			return
		}
		if attempt == 1 || attempt%10 == 0 {
			log.Printf("stack: deregistration attempt %d failed, retrying: %v", attempt, err)
		}
		time.Sleep(retryEvery)
	}
}

// ---- handlers ----

func (s *stack) handleHealthz(w http.ResponseWriter, r *http.Request) {
	if _, err := s.pool.do(time.Now().Add(opTimeout), "PING"); err != nil {
		http.Error(w, "redis: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprint(w, "ok\n")
}

func (s *stack) handleSlow(w http.ResponseWriter, r *http.Request) {
	time.Sleep(s.slow)
	n, err := s.pool.do(time.Now().Add(opTimeout), "INCR", "hits")
	if err != nil {
		http.Error(w, "redis: "+err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "hits %v\n", n)
}

func (s *stack) handleWrite(w http.ResponseWriter, r *http.Request) {
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
	if s.queue != nil {
		// The bug: the write is acknowledged once it is queued in memory, before Redis has it.
		s.queue.add(id)
		fmt.Fprint(w, "ack\n")
		return
	}
	if _, err := s.pool.do(time.Now().Add(opTimeout), "SADD", "acked", id); err != nil {
		http.Error(w, "redis: "+err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprint(w, "ack\n")
}

// ---- ack-before-commit's write queue ----

type writeQueue struct {
	mu   sync.Mutex
	ids  []string // acknowledged, not yet in Redis
	stop chan struct{}
	done chan struct{}
}

func newWriteQueue() *writeQueue {
	return &writeQueue{stop: make(chan struct{}), done: make(chan struct{})}
}

func (q *writeQueue) add(id string) {
	q.mu.Lock()
	q.ids = append(q.ids, id)
	q.mu.Unlock()
}

// flush SADDs the queued ids in one command; a failed batch stays queued. Only one flush runs at a time.
func (q *writeQueue) flush(p *pool, deadline time.Time) (int, error) {
	q.mu.Lock()
	batch := append([]string(nil), q.ids...)
	q.mu.Unlock()
	if len(batch) == 0 {
		return 0, nil
	}
	if _, err := p.do(deadline, append([]string{"SADD", "acked"}, batch...)...); err != nil {
		return len(batch), err
	}
	q.mu.Lock()
	q.ids = q.ids[len(batch):] // add only appends, so the batch is still the head of the queue
	q.mu.Unlock()
	return len(batch), nil
}

func (q *writeQueue) flushLoop(p *pool) {
	defer close(q.done)
	tick := time.NewTicker(flushEvery)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-q.stop:
			return
		case <-tick.C:
		}
		n, err := q.flush(p, time.Now().Add(opTimeout))
		if err != nil && !failing {
			log.Printf("stack: flush of %d writes failed, kept for the next one: %v", n, err)
		} else if err == nil && failing {
			log.Printf("stack: flush works again (%d writes)", n)
		}
		failing = err != nil
	}
}

// finalFlush stops the flusher and makes one last attempt; what it cannot store is dropped.
func (q *writeQueue) finalFlush(p *pool) {
	close(q.stop)
	<-q.done
	n, err := q.flush(p, time.Now().Add(finalFlushTimeout))
	if err != nil {
		log.Printf("stack: final flush failed, dropping %d acknowledged writes: %v", n, err)
		return
	}
	log.Printf("stack: final flush stored %d writes", n)
}

// ---- Redis, through the zoo's client (targets/redisconn) ----

// pool hands out idle connections to Redis and dials when there is none. A connection that saw any error (the
// network's or a Redis error reply) is closed, never returned: its reply stream may be out of step.
type pool struct {
	addr   string
	mu     sync.Mutex
	idle   []*redisconn.Conn
	closed bool
}

const maxIdle = 4

var errPoolClosed = errors.New("connection pool closed")

// do runs one command on a pooled connection; deadline bounds the dial, the write and the reply.
func (p *pool) do(deadline time.Time, args ...string) (interface{}, error) {
	c, err := p.get(deadline)
	if err != nil {
		return nil, err
	}
	reply, err := c.Do(deadline, args...)
	if err != nil {
		c.Close()
		return nil, err
	}
	p.put(c)
	return reply, nil
}

func (p *pool) get(deadline time.Time) (*redisconn.Conn, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errPoolClosed
	}
	if n := len(p.idle); n > 0 {
		c := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	return redisconn.Dial(p.addr, deadline)
}

func (p *pool) put(c *redisconn.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.idle) >= maxIdle {
		c.Close()
		return
	}
	p.idle = append(p.idle, c)
}

func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, c := range p.idle {
		c.Close()
	}
	p.idle = nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
