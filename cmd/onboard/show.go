package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/inspect"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
	"github.com/onboardhq/onboard/pkg/state/pgstate"
)

// isSavedPlan reports whether show's first argument is a saved plan file
// rather than an address; showSavedPlan renders it. Saved plans set both.
var (
	isSavedPlan   = func(arg string) bool { return false }
	showSavedPlan func(a *app, c *cobra.Command, args []string) error
	// showPlanFlags registers the flags of a saved plan's rendering.
	showPlanFlags = func(c *cobra.Command) {}
)

// showOptions are the inputs of onboard show ADDRESS (show PLAN_FILE is
// showSavedPlan's).
type showOptions struct {
	addr      string
	paths     []string
	statePath string
	output    string
	client    clientFlags
}

// newShowCmd builds onboard show; runF runs it for an address (a.runShow
// unless a test checks the flags alone).
func newShowCmd(a *app, runF func(context.Context, *showOptions) error) *cobra.Command {
	opts := &showOptions{}
	if runF == nil {
		runF = a.runShow
	}
	c := &cobra.Command{
		Use:   "show ADDRESS [PATH...]",
		Short: "Show an object as BlueRockTEL has it now, with its drift",
		Long: `show reads one object of the state from BlueRockTEL (a customer file with all
its lines, as BlueRockTEL returns them, in one request) and prints it field by
field, marking with ~ each field that differs from what onboard recorded, or,
when manifest PATHs are given, from what the manifests say. An object deleted in
BlueRockTEL is shown as gone. It changes nothing.

Fields onboard does not send (timestamps, a line's label and price taken from
its item, a generated customer_account) are shown but never count as drift.`,
		Example: `  onboard show customer.acme.file.main-2026 --state customers/onboard.state
  onboard show customer.acme customers/          # compared with the manifests
  onboard show customer.acme.file.main-2026 --output json`,
		Args: needAddress,
		RunE: func(c *cobra.Command, args []string) error {
			if showSavedPlan != nil && isSavedPlan(args[0]) {
				return showSavedPlan(a, c, args)
			}
			if err := checkOutput(opts.output, textOrJSON); err != nil {
				return err
			}
			opts.addr, opts.paths = args[0], args[1:]
			if _, err := manifest.KindOf(opts.addr); err != nil {
				return &usageError{err}
			}
			return runF(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.statePath, "state", "", "state file (default: onboard.state beside the manifests, or in the current directory without PATHs)")
	c.Flags().StringVarP(&opts.output, "output", "o", "text", "text or json")
	opts.client.register(c.Flags())
	showPlanFlags(c)
	return c
}

// runShow is onboard show ADDRESS: the object read from BlueRockTEL
// (inspect), rendered.
func (a *app) runShow(ctx context.Context, opts *showOptions) error {
	addr, paths := opts.addr, opts.paths
	statePath, err := stateLocation(opts.statePath, paths)
	if err != nil {
		return err
	}
	st, err := readState(a, statePath)
	if err != nil {
		return err
	}
	o := st.Get(addr)
	if o == nil {
		return fmt.Errorf("%s is not in the state %s%s", addr, pgstate.Redact(statePath), suggestAddr(st, addr))
	}
	if o.Status != state.StatusCreated || o.ID <= 0 {
		return fmt.Errorf("%s has no BlueRockTEL id yet (its create is %s): apply settles it, or see `onboard state import`", addr, o.Status)
	}
	var want map[string]map[string]string // manifest specs by address
	if len(paths) > 0 {
		set, err := a.load(paths)
		if err != nil {
			return err
		}
		p, err := plan.Compile(set, st, plan.Options{})
		if err != nil {
			return err
		}
		want = map[string]map[string]string{}
		for _, s := range p.Steps {
			want[s.Addr] = s.Spec
		}
	}
	client, err := opts.client.client(a)
	if err != nil {
		return err
	}
	defer client.Close()
	obj, err := inspect.Read(ctx, client, st, o, want)
	if err != nil {
		return err
	}
	v := &shown{obj}
	if opts.output == "json" {
		return v.writeJSON(a.stdout)
	}
	v.writeText(a.stdout, statePath)
	return nil
}

// shown is an object as show prints it: inspect reads and compares it,
// the methods below render it.
type shown struct{ *inspect.Object }

// keys orders a record's fields: id, the parent link and the table's
// fields as requests send them, then the others sorted, timestamps last.
func (s *shown) keys() []string {
	spec := resource.Get(s.Kind)
	rank := func(k string) int {
		switch k {
		case "id":
			return 0
		case "created_at":
			return 1000
		case "updated_at":
			return 1001
		}
		if p := spec.Parent; p != nil {
			if _, ok := p.QueryConst[k]; ok {
				return 1
			}
			if k == p.QueryField || k == p.BodyField {
				return 2
			}
		}
		for i, f := range spec.Fields {
			if f.WireName() == k {
				return 3 + i
			}
		}
		return 500
	}
	keys := make([]string, 0, len(s.Record.Fields))
	for k := range s.Record.Fields {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// value is a field's text for people: the canonical form for the table's
// fields, the text of other scalars, JSON for the rest; a known id is
// followed by the address it belongs to.
func (s *shown) value(k string) string {
	spec := resource.Get(s.Kind)
	raw := s.Record.Fields[k]
	text := s.Record.Text(k)
	if f, ok := spec.WireField(k); ok {
		if c, ok := f.CanonicalJSON(raw); ok {
			text = c
		}
	}
	if string(raw) == "null" {
		return "null"
	}
	if target := refTarget(spec, k); target != "" {
		if addr := s.NameOf(target, text); addr != "" {
			return text + " (" + addr + ")"
		}
	}
	return text
}

// refTarget is the kind wire field k of spec points to, if it is a
// reference.
func refTarget(spec *resource.Spec, k string) resource.Kind {
	if f, ok := spec.WireField(k); ok && f.Type == resource.Reference {
		return f.Target
	}
	if p := spec.Parent; p != nil && (k == p.BodyField || k == p.QueryField) {
		return p.Kind
	}
	return ""
}

func (s *shown) drifted() map[string]resource.Drift {
	m := map[string]resource.Drift{}
	for _, d := range s.Drift {
		m[strings.TrimPrefix(d.Wire, "?")] = d
	}
	return m
}

func (s *shown) title() string {
	t := resource.Get(s.Kind).Title
	if s.Addr == "" {
		return fmt.Sprintf("%s #%d (not in the state)", t, s.ID)
	}
	return fmt.Sprintf("%s %s (#%d)", t, s.Addr, s.ID)
}

// writeText prints the object, then its lines, then a summary.
func (s *shown) writeText(w io.Writer, statePath string) {
	gone, fields := 0, 0
	write := func(v *shown, indent string) {
		if v.Gone {
			fmt.Fprintf(w, "%s%s: gone from BlueRockTEL\n", indent, v.title())
			gone++
			return
		}
		fmt.Fprintf(w, "%s%s in BlueRockTEL:\n", indent, v.title())
		d := v.drifted()
		fields += len(d)
		for _, k := range v.keys() {
			if k == "id" {
				continue
			}
			if dr, ok := d[k]; ok {
				fmt.Fprintf(w, "%s~ %s: %s (in BlueRockTEL) -> %s (%s)\n", indent, k, orNull(dr.Live), dr.Recorded, v.Against)
				continue
			}
			fmt.Fprintf(w, "%s  %s: %s\n", indent, k, v.value(k))
		}
	}
	write(s, "")
	if !s.Gone && len(resource.Get(s.Kind).Children()) > 0 {
		if len(s.Lines) == 0 {
			fmt.Fprintln(w, "  (no lines)")
		}
		for _, l := range s.Lines {
			write(&shown{l}, "  ")
		}
	}
	if gone == 0 && fields == 0 {
		fmt.Fprintf(w, "No drift: BlueRockTEL matches the %s.\n", against(s, statePath))
		return
	}
	var parts []string
	if fields > 0 {
		parts = append(parts, plural(fields, "field")+" changed in BlueRockTEL")
	}
	if gone > 0 {
		parts = append(parts, plural(gone, "object")+" gone from BlueRockTEL")
	}
	fmt.Fprintf(w, "Drift: %s (compared with the %s).\n", strings.Join(parts, ", "), against(s, statePath))
}

func against(s *shown, statePath string) string {
	if s.Manifests {
		return "manifests"
	}
	return "state " + pgstate.Redact(statePath)
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// showJSON is the JSON form of show.
type showJSON struct {
	Address  string                     `json:"address,omitempty"`
	Kind     resource.Kind              `json:"kind"`
	ID       int64                      `json:"id"`
	Gone     bool                       `json:"gone"`
	Against  string                     `json:"compared_with"`
	Live     map[string]json.RawMessage `json:"live"`
	Spec     map[string]string          `json:"compared_spec,omitempty"`
	Drift    []driftJSON                `json:"drift"`
	Lines    []*showJSON                `json:"lines,omitempty"`
	Requests *int                       `json:"requests,omitempty"`
}

type driftJSON struct {
	Field string `json:"field"`
	// Live is the canonical live value (null when BlueRockTEL has none).
	Live *string `json:"live"`
	Want string  `json:"want"`
}

func (s *shown) toJSON() *showJSON {
	j := &showJSON{Address: s.Addr, Kind: s.Kind, ID: s.ID, Gone: s.Gone, Against: s.Against, Spec: s.Spec, Drift: []driftJSON{}}
	if s.Record != nil {
		j.Live = s.Record.Fields
	}
	for _, d := range s.Drift {
		dj := driftJSON{Field: d.Wire, Want: d.Recorded}
		if d.Live != "" {
			l := d.Live
			dj.Live = &l
		}
		j.Drift = append(j.Drift, dj)
	}
	for _, l := range s.Lines {
		j.Lines = append(j.Lines, (&shown{l}).toJSON())
	}
	return j
}

func (s *shown) writeJSON(w io.Writer) error {
	j := s.toJSON()
	n := s.Requests
	j.Requests = &n
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(j)
}
