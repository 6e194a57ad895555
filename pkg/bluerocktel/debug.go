package bluerocktel

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// debugLog writes one line per attempt and per response, with the token
// redacted from everything written. Headers are never logged.
type debugLog struct {
	mu    sync.Mutex
	w     io.Writer // nil = off
	token string
}

// maxDebugBody bounds a body in a debug line.
const maxDebugBody = 64 << 10

func (d *debugLog) on() bool { return d != nil && d.w != nil }

func (d *debugLog) printf(format string, args ...any) {
	line := redact(fmt.Sprintf(format, args...), d.token)
	d.mu.Lock()
	defer d.mu.Unlock()
	io.WriteString(d.w, line+"\n")
}

func (d *debugLog) request(req *http.Request, attempt int) {
	if !d.on() {
		return
	}
	var body []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			body, _ = io.ReadAll(io.LimitReader(rc, maxDebugBody+1))
			rc.Close()
		}
	}
	d.printf("bluerocktel: --> %s %s attempt=%d body=%s", req.Method, req.URL.RequestURI(), attempt, clip(body))
}

func (d *debugLog) response(req *http.Request, status int, took time.Duration, body []byte) {
	if !d.on() {
		return
	}
	d.printf("bluerocktel: <-- %d %s %s (%s) body=%s", status, req.Method, req.URL.RequestURI(), took.Round(time.Microsecond), clip(body))
}

func (d *debugLog) failure(req *http.Request, took time.Duration, err error) {
	if !d.on() {
		return
	}
	d.printf("bluerocktel: <-- error %s %s (%s): %v", req.Method, req.URL.RequestURI(), took.Round(time.Microsecond), err)
}

// clip renders a body on one line, bounded.
func clip(b []byte) string {
	if len(b) == 0 {
		return "(empty)"
	}
	s := string(b)
	if len(s) > maxDebugBody {
		s = s[:maxDebugBody] + "...(truncated)"
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}

// redact removes every occurrence of the token from s.
func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, redacted)
}
