// Child processes: the binary re-executes itself with ZOO_ROLE set.
//
//	helper   a sidecar-style child (ZOO_HELPER=1) that sleeps until killed; graceful stops it, orphan-helper forgets it
//	spawner  started every 100 ms with ZOO_SPAWN=1: starts a sleeper without waiting for it and exits at once
//	sleeper  sleeps 50 ms and exits — by then its parent is gone, so it was re-parented to PID 1
//
// The spawner is the classic double fork (a shell's "cmd &", a daemonizing library): the grandchild ends up
// as a child of PID 1, and only PID 1 can reap it. As container PID 1 this service never waits for children
// it did not start (os/exec waits by pid, never wait(-1)), so they pile up as zombies. With `docker run --init`
// tini is PID 1 and reaps them: that is the fixed twin.
package main

import (
	"log"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func runRole(role string) {
	switch role {
	case "helper":
		// No signal handling on purpose: SIGTERM's default action is all a helper needs.
		for {
			time.Sleep(time.Hour)
		}
	case "spawner":
		if err := selfCommand("sleeper").Start(); err != nil {
			log.Fatalf("zoo-spawner: %v", err)
		}
		os.Exit(0) // without Wait: the sleeper is orphaned
	case "sleeper":
		time.Sleep(50 * time.Millisecond)
	default:
		log.Fatalf("zoo: unknown ZOO_ROLE %q", role)
	}
}

// selfCommand re-executes this binary in a role. Its stdio is /dev/null, so an orphaned child
// does not hold the service's stdout/stderr pipes open.
func selfCommand(role string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "ZOO_ROLE="+role)
	return cmd
}

func (s *service) startHelper() {
	cmd := selfCommand("helper")
	if err := cmd.Start(); err != nil {
		log.Fatalf("zoo: helper: %v", err)
	}
	s.helper = cmd
	log.Printf("zoo: helper pid=%d started", cmd.Process.Pid)
}

func (s *service) stopHelper() {
	if s.helper == nil {
		return
	}
	if s.mode == "orphan-helper" {
		// The bug: the shutdown path forgets the child it started; it is re-parented and keeps running.
		log.Printf("zoo: leaving helper pid=%d behind", s.helper.Process.Pid)
		return
	}
	s.helper.Process.Signal(syscall.SIGTERM)
	err := s.helper.Wait()
	log.Printf("zoo: helper pid=%d stopped (%v)", s.helper.Process.Pid, err)
}

// spawnLoop runs one spawner every 100 ms until the shutdown begins, waiting for the spawner only.
func (s *service) spawnLoop() {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-tick.C:
			if err := selfCommand("spawner").Run(); err != nil {
				log.Printf("zoo: spawner: %v", err)
			}
		}
	}
}
