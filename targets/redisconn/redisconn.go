// Package redisconn is the zoo's minimal Redis client (RESP2 over one TCP connection), shared by the stack API and
// the queue worker: standard library only, since the zoo builds without a module proxy.
package redisconn

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Conn is one connection to Redis.
type Conn struct {
	nc net.Conn
	br *bufio.Reader
}

// Error is an error reply ("-ERR ...") from Redis.
type Error string

func (e Error) Error() string { return string(e) }

// Dial connects to Redis at addr (host:port) before deadline.
func Dial(addr string, deadline time.Time) (*Conn, error) {
	nc, err := (&net.Dialer{Deadline: deadline}).Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &Conn{nc: nc, br: bufio.NewReader(nc)}, nil
}

// Close closes the connection; a nil Conn is already closed.
func (c *Conn) Close() {
	if c != nil {
		c.nc.Close()
	}
}

// Do sends one command as an array of bulk strings and reads its reply, all before deadline.
func (c *Conn) Do(deadline time.Time, args ...string) (interface{}, error) {
	if err := c.nc.SetDeadline(deadline); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 64)
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	if _, err := c.nc.Write(b); err != nil {
		return nil, err
	}
	return readReply(c.br)
}

// readReply reads one RESP2 reply: a string, an int64, nil, or a []interface{}; an error reply is a Error.
func readReply(br *bufio.Reader) (interface{}, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return nil, fmt.Errorf("redis protocol: bad line %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	switch kind {
	case '+':
		return body, nil
	case '-':
		return nil, Error(body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 || n > 512<<20 {
			return nil, fmt.Errorf("redis protocol: bad bulk length %q", body)
		}
		if n == -1 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(br, buf); err != nil {
			return nil, err
		}
		if !strings.HasSuffix(string(buf), "\r\n") {
			return nil, fmt.Errorf("redis protocol: bulk string not ended by CRLF")
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < -1 || n > 1<<20 {
			return nil, fmt.Errorf("redis protocol: bad array length %q", body)
		}
		if n == -1 {
			return nil, nil
		}
		items := make([]interface{}, 0, n)
		for i := 0; i < n; i++ {
			item, err := readReply(br)
			if err != nil {
				return nil, err
			}
			items = append(items, item)
		}
		return items, nil
	}
	return nil, fmt.Errorf("redis protocol: unknown reply type %q", kind)
}
