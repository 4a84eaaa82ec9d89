// Zoo queue worker: takes job ids from a Redis list with the reliable-queue pattern and does them; its shutdown
// handling is chosen by ZOO_MODE. It listens on no port: it only talks to Redis.
//
// The pattern: BLMOVE jobs processing RIGHT LEFT moves the oldest job onto processing, where it stays while it is
// in hand (a worker that dies leaves it there, for a reaper to put back); once the job is done, one script run by
// Redis drops it from processing (LREM processing 1 <id>) and records it (RPUSH done <id>) in one step. A job is in
// one of jobs, processing and done at every moment, and done once.
//
//	graceful       TERM/INT: no new job is taken; the job in hand is finished and recorded, or, when Redis does not
//	               take the record within 2 s, moved back onto the queue (left in processing when even that fails);
//	               exit 0. Later signals are ignored.
//	ack-before-do  the job is dropped from processing (acknowledged) as soon as it is taken, before it is done;
//	               TERM/INT exit 0 at once, and the job in hand is in no list any more: lost.
//
// Environment: REDIS_ADDR (host:port, 127.0.0.1:6379), ZOO_MODE (graceful), ZOO_WORK_MS (200: how long a job takes).
// At start it connects to Redis (retrying for up to 10 s, then exit 1), then logs "worker: ready".
package main

import (
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"sigstorm/zoo-redisconn"
)

var modes = map[string]bool{"graceful": true, "ack-before-do": true}

const (
	queue      = "jobs"       // producers LPUSH job ids here
	processing = "processing" // jobs in hand
	done       = "done"       // one entry per time a job was done

	opTimeout  = time.Second            // every Redis operation: dial, write and reply
	blockFor   = 200 * time.Millisecond // BLMOVE's wait for a job: the longest a stop waits for the take in flight
	connectFor = 10 * time.Second       // how long the start waits for Redis
	recordFor  = 2 * time.Second        // graceful: how long after the signal the job in hand may still be recorded
	retryEvery = 100 * time.Millisecond
)

type worker struct {
	mode     string
	work     time.Duration
	redis    *client
	stopping chan struct{} // closed by the first TERM/INT (graceful)
	stopAt   time.Time     // set before stopping is closed
}

func main() {
	w := &worker{
		mode:     env("ZOO_MODE", "graceful"),
		redis:    &client{addr: env("REDIS_ADDR", "127.0.0.1:6379")},
		stopping: make(chan struct{}),
	}
	if !modes[w.mode] {
		log.Fatalf("worker: unknown ZOO_MODE %q", w.mode)
	}
	ms, err := strconv.Atoi(env("ZOO_WORK_MS", "200"))
	if err != nil || ms < 0 {
		log.Fatalf("worker: bad ZOO_WORK_MS %q", os.Getenv("ZOO_WORK_MS"))
	}
	w.work = time.Duration(ms) * time.Millisecond

	w.connect()
	sigs := make(chan os.Signal, 4) // buffered: signal.Notify drops a signal it cannot hand over at once
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go w.onSignals(sigs)
	log.Printf("worker: mode=%s redis=%s work=%v", w.mode, w.redis.addr, w.work)
	log.Printf("worker: ready, taking jobs from %s", queue) // after signal.Notify: a signal right after readiness is handled
	w.run()
	log.Printf("worker: stopped")
}

func (w *worker) onSignals(sigs chan os.Signal) {
	sig := <-sigs
	if w.mode == "ack-before-do" {
		// The bug: "jobs are acknowledged when taken, nothing is at stake" — the job in hand left processing when it
		// was taken, and is never done.
		log.Printf("worker: %v received, exiting", sig)
		os.Exit(0)
	}
	log.Printf("worker: %v received, finishing the job in hand", sig)
	w.stopAt = time.Now()
	close(w.stopping)
	for sig := range sigs {
		log.Printf("worker: %v received during the stop, ignored", sig)
	}
}

func (w *worker) stopped() bool {
	select {
	case <-w.stopping:
		return true
	default:
		return false
	}
}

// connect waits until Redis answers PING, for up to connectFor.
func (w *worker) connect() {
	give := time.Now().Add(connectFor)
	for {
		_, err := w.redis.do(time.Now().Add(opTimeout), "PING")
		if err == nil {
			return
		}
		if time.Now().After(give) {
			log.Printf("worker: redis at %s not reachable for %v: %v", w.redis.addr, connectFor, err)
			os.Exit(1)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// run takes and does jobs until the stop; a job taken while the stop began is still done.
func (w *worker) run() {
	failing := false
	for !w.stopped() {
		id, err := w.take()
		if err != nil {
			if !failing {
				log.Printf("worker: taking a job failed, retrying: %v", err)
			}
			failing = true
			time.Sleep(retryEvery)
			continue
		}
		failing = false
		if id == "" {
			continue
		}
		if w.mode == "ack-before-do" {
			// The bug: acknowledged as soon as it is taken, "so that processing never fills up with slow jobs".
			if _, err := w.redis.do(time.Now().Add(opTimeout), "LREM", processing, "1", id); err != nil {
				log.Printf("worker: acknowledging job %s failed: %v", id, err)
			}
		}
		time.Sleep(w.work) // the job itself
		w.record(id)
	}
}

// take moves the oldest job onto processing, waiting up to blockFor for one: "" when none came.
func (w *worker) take() (string, error) {
	reply, err := w.redis.do(time.Now().Add(blockFor+opTimeout), "BLMOVE", queue, processing, "RIGHT", "LEFT", seconds(blockFor))
	if err != nil || reply == nil {
		return "", err
	}
	id, ok := reply.(string)
	if !ok {
		return "", fmt.Errorf("BLMOVE answered %v", reply)
	}
	return id, nil
}

// record stores that job id was done, retrying until Redis takes it. graceful moves the job from processing to done
// only while it is still in processing, in one step: an attempt whose reply was lost and that took effect after
// all, or a put-back that did, makes every later attempt a no-op, so a job is done once. Once the stop has begun it
// gives up recordFor after the signal and puts the job back onto the queue instead.
func (w *worker) record(id string) {
	for attempt := 1; ; attempt++ {
		var err error
		if w.mode == "ack-before-do" {
			_, err = w.redis.do(time.Now().Add(opTimeout), "RPUSH", done, id) // processing let it go when it was taken
		} else {
			_, err = w.redis.do(time.Now().Add(opTimeout), "EVAL", moveIfHeld, "2", processing, done, id)
		}
		if err == nil {
			log.Printf("worker: job %s done", id)
			return
		}
		if attempt == 1 {
			log.Printf("worker: recording job %s failed, retrying: %v", id, err)
		}
		if w.stopped() && time.Since(w.stopAt) >= recordFor {
			w.requeue(id)
			return
		}
		time.Sleep(retryEvery)
	}
}

// requeue moves job id from processing back onto the queue, where it is taken next. Not LMOVE: that moves whichever
// job is at the end of processing, this one only while no other worker shares the list; and not after a record
// that took effect late.
func (w *worker) requeue(id string) {
	moved, err := w.redis.do(time.Now().Add(opTimeout), "EVAL", moveIfHeld, "2", processing, queue, id)
	switch {
	case err != nil:
		log.Printf("worker: job %s could not be recorded nor put back, left in %s: %v", id, processing, err)
	case moved == int64(0):
		log.Printf("worker: job %s was recorded after all", id)
	default:
		log.Printf("worker: job %s could not be recorded, put back onto %s", id, queue)
	}
}

// moveIfHeld moves ARGV[1] from list KEYS[1] to the tail of KEYS[2] when it is in KEYS[1]: 1 if moved, else 0.
const moveIfHeld = `if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then redis.call('RPUSH', KEYS[2], ARGV[1]) return 1 end return 0`

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) }

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// ---- Redis, through the zoo's client (targets/redisconn) ----

// client is one connection to Redis, dialled when needed. A connection that saw any error (the network's or a
// Redis error reply) is closed and dialled again next time: its reply stream may be out of step.
type client struct {
	addr string
	conn *redisconn.Conn
}

// do runs one command; deadline bounds the dial, the write and the reply.
func (r *client) do(deadline time.Time, args ...string) (interface{}, error) {
	if r.conn == nil {
		c, err := redisconn.Dial(r.addr, deadline)
		if err != nil {
			return nil, err
		}
		r.conn = c
	}
	reply, err := r.conn.Do(deadline, args...)
	if err != nil {
		r.conn.Close()
		r.conn = nil
	}
	return reply, err
}
