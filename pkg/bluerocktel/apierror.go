package bluerocktel

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// apiError decodes a non-2xx answer: Laravel's {"message", "errors"} when
// the body is JSON, else a short excerpt of the body.
func (c *Client) apiError(method, path string, resp *http.Response, body []byte) *APIError {
	e := &APIError{Method: method, Path: path, Status: resp.StatusCode}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = d
	}
	var lv struct {
		Message string                     `json:"message"`
		Errors  map[string]json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &lv) == nil {
		e.Message = lv.Message
		for f, raw := range lv.Errors {
			if e.Fields == nil {
				e.Fields = map[string][]string{}
			}
			e.Fields[redact(f, c.tok.s)] = fieldMessages(raw, c.tok.s)
		}
	} else {
		e.Message = excerpt(body)
	}
	e.Message = redact(e.Message, c.tok.s)
	return e
}

// fieldMessages accepts ["msg", ...] or a single "msg".
func fieldMessages(raw json.RawMessage, token string) []string {
	var list []string
	if json.Unmarshal(raw, &list) != nil {
		var one string
		if json.Unmarshal(raw, &one) != nil {
			one = string(bytes.TrimSpace(raw))
		}
		list = []string{one}
	}
	for i := range list {
		list[i] = redact(list[i], token)
	}
	return list
}

// excerpt renders the start of a non-JSON body on one line.
func excerpt(body []byte) string {
	const n = 200
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}
