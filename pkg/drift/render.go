package drift

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// FormatVersion is the version of the JSON report; a change that breaks
// readers increments it.
const FormatVersion = 1

// JSON writes the report as one JSON document.
func JSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		FormatVersion int  `json:"format_version"`
		Clean         bool `json:"clean"`
		*Report
	}{FormatVersion, r.Clean(), r})
}

// orNone shows a null value.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Text writes the report for a terminal or a job log.
func Text(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	if r.Clean() {
		ew.printf("No drift: BlueRockTEL, the state and the manifests agree (%d objects read in %d requests).\n", r.Objects, r.Requests)
		return ew.err
	}
	if len(r.Drifted) > 0 {
		ew.printf("Changed in BlueRockTEL since onboard last wrote the state:\n")
		for _, o := range r.Drifted {
			if o.Gone {
				what := "apply creates it again"
				if !o.Declared {
					what = "no longer in the manifests either"
				}
				ew.printf("  - %s %s #%d: gone from BlueRockTEL (%s)\n", o.Title, o.Addr, o.ID, what)
				continue
			}
			ew.printf("  ~ %s %s #%d\n", o.Title, o.Addr, o.ID)
			for _, f := range o.Fields {
				ew.printf("      %s: %s (state) -> %s (in BlueRockTEL)%s\n", f.Field, orNone(f.State), orNone(f.Live), manifestNote(f))
			}
		}
		ew.printf("\n")
	}
	if len(r.Pending) > 0 {
		ew.printf("In the manifests, not applied yet:\n")
		for _, p := range r.Pending {
			ew.printf("  %s %s %s%s\n", sign(string(p.Action)), p.Title, p.Addr, fieldsNote(p.Fields))
		}
		ew.printf("\n")
	}
	ew.printf("Drift: %d object(s) changed in BlueRockTEL, %d change(s) not applied; %d objects read in %d requests.\n",
		len(r.Drifted), len(r.Pending), r.Objects, r.Requests)
	return ew.err
}

// Markdown writes the report for an issue or a merge-request comment.
func Markdown(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	if r.Clean() {
		ew.printf("### onboard drift: none\n\nBlueRockTEL, the state and the manifests agree (%d objects read in %d requests).\n", r.Objects, r.Requests)
		return ew.err
	}
	ew.printf("### onboard drift: %d changed in BlueRockTEL, %d not applied\n\n", len(r.Drifted), len(r.Pending))
	if len(r.Drifted) > 0 {
		ew.printf("| Object | Field | State | BlueRockTEL | Manifest |\n|---|---|---|---|---|\n")
		for _, o := range r.Drifted {
			if o.Gone {
				ew.printf("| %s `%s` #%d | *gone* | | | %s |\n", o.Title, o.Addr, o.ID, map[bool]string{true: "declared: apply creates it again", false: "not declared"}[o.Declared])
				continue
			}
			for _, f := range o.Fields {
				m := "*not declared*"
				if f.InManifests {
					m = cell(f.Manifest)
				}
				ew.printf("| %s `%s` #%d | `%s` | %s | %s | %s |\n", o.Title, o.Addr, o.ID, f.Field, cell(f.State), cell(f.Live), m)
			}
		}
		ew.printf("\n")
	}
	if len(r.Pending) > 0 {
		ew.printf("Not applied yet:\n\n")
		for _, p := range r.Pending {
			ew.printf("- %s %s `%s`%s\n", p.Action, p.Title, p.Addr, fieldsNote(p.Fields))
		}
		ew.printf("\n")
	}
	ew.printf("%d objects read in %d requests. `onboard apply` restores the manifests; `onboard apply --refresh-only` accepts what BlueRockTEL holds.\n", r.Objects, r.Requests)
	return ew.err
}

func manifestNote(f Field) string {
	switch {
	case !f.InManifests:
		return ""
	case f.Accepted:
		return "; the manifests say the same"
	}
	return "; manifests: " + orNone(f.Manifest)
}

func fieldsNote(fields []string) string {
	if len(fields) == 0 {
		return ""
	}
	return " (" + strings.Join(fields, ", ") + ")"
}

func sign(action string) string {
	switch action {
	case "create":
		return "+"
	case "update":
		return "~"
	}
	return "*"
}

// cell escapes a value for a Markdown table cell.
func cell(s string) string {
	if s == "" {
		return "*(none)*"
	}
	return "`" + strings.NewReplacer("|", `\|`, "`", "'", "\n", " ").Replace(s) + "`"
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
