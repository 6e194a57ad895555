package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/onboardhq/onboard/pkg/apply"
)

// eventLog is apply's --events FILE: the JSON events that --output json
// prints, written to a file while the terminal or the CI log gets the
// human-readable progress. A nil *eventLog writes nothing.
type eventLog struct {
	path string
	f    *os.File
	enc  *json.Encoder
	err  error // the first write error; reported once, at Close
}

// openEvents creates (or truncates) path; "" means no event log.
func openEvents(path string) (*eventLog, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, usagef("--events: %v", err)
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	return &eventLog{path: path, f: f, enc: enc}, nil
}

// write appends one JSON line.
func (l *eventLog) write(v any) {
	if l == nil || l.err != nil {
		return
	}
	l.err = l.enc.Encode(v)
}

// summary appends the summary event, the same as --output json's last line.
func (l *eventLog) summary(res *apply.Result, stateBytes int64) {
	l.write(summaryEvent(res, stateBytes))
}

// Close flushes the file and returns the first error met.
func (l *eventLog) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	if err := f.Sync(); l.err == nil && err != nil {
		l.err = err
	}
	if err := f.Close(); l.err == nil && err != nil {
		l.err = err
	}
	if l.err != nil {
		return fmt.Errorf("write --events %s: %w", l.path, l.err)
	}
	return nil
}

// summaryEvent is the last event of an apply.
func summaryEvent(res *apply.Result, stateBytes int64) map[string]any {
	return map[string]any{"event": "summary", "result": res, "state_bytes_written": stateBytes}
}
