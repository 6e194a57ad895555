package planrender

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/onboardhq/onboard/pkg/money"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/policy"
	"github.com/onboardhq/onboard/pkg/resource"
)

// FormatVersion is the version of the JSON plan format, a string as in
// Terraform's `show -json`. The major number changes only when a field is
// removed or changes meaning.
const FormatVersion = "2.1"

type jsonOrphan struct {
	Address string `json:"address"`
	Kind    string `json:"kind"`
	ID      int64  `json:"id"`
	// StillBilledPerMonth is what it and everything under it still bill
	// per month, excl. VAT (the money rule: cents, a flag where rounded).
	StillBilledPerMonth        string `json:"still_billed_per_month"`
	StillBilledPerMonthRounded bool   `json:"still_billed_per_month_rounded,omitempty"`
	StillBilledIncomplete      bool   `json:"still_billed_incomplete,omitempty"`
	// StillBilledUnknownPeriod is the money per period of lines whose
	// period is not known, in no per-month figure.
	StillBilledUnknownPeriod string `json:"still_billed_unknown_period,omitempty"`
}

// jsonChange is a field change with Terraform's before/after names.
type jsonChange struct {
	Field  string  `json:"field"`
	Before *string `json:"before"`
	After  *string `json:"after"`
	// Reset: after is the API's default (null was sent).
	Reset bool `json:"reset,omitempty"`
	// Drifted: before is what BlueRockTEL holds, changed outside onboard.
	Drifted bool `json:"drifted,omitempty"`
}

type jsonStep struct {
	Address     string            `json:"address"`
	Kind        resource.Kind     `json:"kind"`
	Action      plan.Action       `json:"action"`
	Label       string            `json:"label,omitempty"`
	ID          int64             `json:"id,omitempty"`
	LookupFirst bool              `json:"lookup_first,omitempty"`
	Gone        bool              `json:"gone,omitempty"`
	Method      string            `json:"method,omitempty"`
	Path        string            `json:"path,omitempty"`
	Of          string            `json:"of,omitempty"`
	Query       *orderedValues    `json:"query,omitempty"`
	Body        *orderedValues    `json:"body,omitempty"`
	Position    string            `json:"position,omitempty"`
	Positions   map[string]string `json:"field_positions,omitempty"`
	DependsOn   []string          `json:"depends_on"`
	Changes     []jsonChange      `json:"changes,omitempty"`
	Offer       string            `json:"offer,omitempty"`
	// References are the objects the request refers to by id, as
	// BlueRockTEL held them when the plan was made.
	References []plan.Referenced `json:"references,omitempty"`
	// After is an end step's object after it: deactivate and stop show
	// their record (active false, services_stop); delete and forget none.
	After      map[string]string `json:"after,omitempty"`
	Commitment *plan.Commitment  `json:"commitment,omitempty"`
	ReferredBy []string          `json:"referred_by,omitempty"`
}

// orderedValues is a JSON object of request values in request order.
type orderedValues struct {
	p    *plan.Plan
	spec *resource.Spec
	vals []resource.Value
}

// MarshalJSON writes each value as described in README "Plan JSON
// format": decimals as strings (never through a float), a reference to an
// existing object as its id, one to an object still to be created as
// {"ref": "addr"}, `extra:` entries as written, a reset field as null.
func (o *orderedValues) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, v := range o.vals {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, v.Wire)
		b.WriteByte(':')
		writeValue(&b, o.p, asCents(o.spec, v))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeValue writes one request value; a reference list as an array of
// its items.
func writeValue(b *bytes.Buffer, p *plan.Plan, v resource.Value) {
	id, known := knownID(p, v)
	switch {
	case v.Null:
		b.WriteString("null")
	case v.Type == resource.ReferenceList:
		b.WriteByte('[')
		for i, it := range v.List {
			if i > 0 {
				b.WriteByte(',')
			}
			writeValue(b, p, it)
		}
		b.WriteByte(']')
	case known:
		b.WriteString(id)
	case v.Type == resource.Reference && v.Ref != "":
		b.WriteString(`{"ref":`)
		writeJSONString(b, v.Ref)
		b.WriteByte('}')
	case v.Raw != nil:
		b.Write(v.Raw)
	case v.Type == resource.Integer, v.Type == resource.Boolean, v.Type == resource.Reference:
		b.WriteString(v.Text)
	default: // strings, dates, decimals
		writeJSONString(b, v.Text)
	}
}

func writeString(w *bufio.Writer, s string) {
	var b bytes.Buffer
	writeJSONString(&b, s)
	w.Write(b.Bytes())
}

func writeJSONString(b *bytes.Buffer, s string) {
	if plainJSON(s) {
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1)
}

func strPtr(s string, set bool) *string {
	if !set {
		return nil
	}
	return &s
}

func stepJSON(p *plan.Plan, s *plan.Step) jsonStep {
	js := jsonStep{Address: s.Addr, Kind: s.Kind, Action: s.Effect(), Label: s.Label, ID: s.ID(),
		LookupFirst: s.Verify, Gone: s.Gone, Method: s.Method, Path: s.Path, Of: s.Of, Position: s.Pos, DependsOn: s.Deps,
		Offer: s.Offer}
	if js.DependsOn == nil {
		js.DependsOn = []string{}
	}
	if s.Existing != nil && s.Existing.ID != 0 {
		js.ID = s.Existing.ID
	}
	if s.Sends() {
		if len(s.Query) > 0 {
			js.Query = &orderedValues{p: p, spec: resource.Get(s.Kind), vals: s.Query}
		}
		if len(s.Body) > 0 {
			js.Body = &orderedValues{p: p, spec: resource.Get(s.Kind), vals: s.Body}
			js.Positions = make(map[string]string, len(s.Body))
			for _, v := range s.Body {
				if pos := s.Where[v.Wire]; pos != "" {
					js.Positions[v.Wire] = pos
				}
			}
		}
	}
	if s.Sends() {
		js.References = s.Refs
	}
	if s.Action.Ends() {
		js.After, js.Commitment, js.ReferredBy = s.Spec, s.Commitment, s.ReferredBy
	}
	for _, c := range s.Changes {
		js.Changes = append(js.Changes, jsonChange{Field: strings.TrimPrefix(c.Field, "?"),
			Before: strPtr(c.Old, c.Old != ""), After: strPtr(c.New, !c.Reset && c.New != ""), Reset: c.Reset, Drifted: c.Drifted})
	}
	return js
}

// JSON writes the plan in the documented, versioned JSON format (README
// "Plan JSON format"): format_version, onboard_version, summary, totals
// (the money), steps, orphans and billing_previews. Each element of the
// arrays is one compact line, written as it is encoded: the whole document
// is never held in memory, and a line is one step for grep or a streaming
// reader (indenting 50,000 steps cost more than computing the plan).
func JSON(w io.Writer, p *plan.Plan, toolVersion string) error {
	return JSONWith(w, p, JSONOptions{Tool: toolVersion})
}

// JSONOptions tune the JSON plan.
type JSONOptions struct {
	// Tool is the onboard version.
	Tool string
	// Policy is what the project's rules found: the "policy" member,
	// left out when nil (the project has no rules).
	Policy *policy.Verdict
	// Money are the project's money settings (currency, VAT rate).
	Money plan.MoneySettings
}

// JSONWith is JSON with the project's money settings and the policy's
// findings and overrides.
func JSONWith(w io.Writer, p *plan.Plan, o JSONOptions) error {
	toolVersion := o.Tool
	bw := bufio.NewWriterSize(w, 64<<10)
	field := func(name string, first bool) {
		if !first {
			bw.WriteString(",")
		}
		bw.WriteString("\n  ")
		writeString(bw, name)
		bw.WriteString(": ")
	}
	// value writes v compact, without the Encoder's newline.
	var line bytes.Buffer
	lineEnc := json.NewEncoder(&line)
	lineEnc.SetEscapeHTML(false)
	value := func(v any) error {
		line.Reset()
		if err := lineEnc.Encode(v); err != nil {
			return err
		}
		bw.Write(bytes.TrimSuffix(line.Bytes(), []byte{'\n'}))
		return nil
	}
	array := func(n int, elem func(i int) any) error {
		bw.WriteString("[")
		for i := 0; i < n; i++ {
			if i > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n    ")
			if err := value(elem(i)); err != nil {
				return err
			}
		}
		if n > 0 {
			bw.WriteString("\n  ")
		}
		bw.WriteString("]")
		return nil
	}
	bw.WriteString("{")
	field("format_version", true)
	writeString(bw, FormatVersion)
	field("onboard_version", false)
	writeString(bw, toolVersion)
	field("summary", false)
	if err := value(p.Counts()); err != nil {
		return err
	}
	field("totals", false)
	if err := value(ComputeWith(p.Bill(o.Money))); err != nil {
		return err
	}
	field("steps", false)
	sw := &stepWriter{p: p} // jsonstep.go: stepJSON's bytes, by hand
	rawArray(bw, len(p.Steps), func(i int) []byte { return sw.step(p.Steps[i]) })
	field("orphans", false)
	still := p.StillBilledEach(p.Orphans)
	if err := array(len(p.Orphans), func(i int) any {
		o := p.Orphans[i]
		jo := jsonOrphan{Address: o.Addr, Kind: o.Kind, ID: o.ID, StillBilledIncomplete: still[o.Addr].Incomplete}
		jo.StillBilledPerMonth, jo.StillBilledPerMonthRounded = money.Plain(still[o.Addr].PerMonth)
		if u := still[o.Addr].UnknownPeriod; u != nil {
			jo.StillBilledUnknownPeriod, _ = money.Plain(u)
		}
		return jo
	}); err != nil {
		return err
	}
	field("settled", false)
	if err := array(len(p.Settled), func(i int) any { return p.Settled[i] }); err != nil {
		return err
	}
	field("billing_previews", false)
	if err := array(len(p.Previews), func(i int) any { return previewJSON(p.Previews[i]) }); err != nil {
		return err
	}
	if o.Policy != nil {
		field("policy", false)
		if err := value(toPolicyJSON(o.Policy)); err != nil {
			return err
		}
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// plainJSON reports whether s needs no escaping in a JSON string (printable
// ASCII but '"' and '\\'): most wire names, addresses and values.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// jsonCharge is a plan.Charge with its total in cents (the money rule).
type jsonCharge struct {
	Months       int      `json:"months,omitempty"`
	Terms        []string `json:"terms"`
	Total        string   `json:"total"`
	TotalRounded bool     `json:"total_rounded,omitempty"`
	Incomplete   bool     `json:"incomplete,omitempty"`
}

type jsonBilling struct {
	Months int         `json:"months,omitempty"`
	Before *jsonCharge `json:"before,omitempty"`
	After  *jsonCharge `json:"after,omitempty"`
}

type jsonPreview struct {
	File        string        `json:"file"`
	Name        string        `json:"name"`
	Customer    string        `json:"customer"`
	Until       string        `json:"until,omitempty"`
	UntilBefore string        `json:"until_before,omitempty"`
	OneTime     *jsonBilling  `json:"one_time,omitempty"`
	Cycles      []jsonBilling `json:"recurring,omitempty"`
	Licences    []jsonBilling `json:"licences,omitempty"`
}

func chargeJSON(c *plan.Charge) *jsonCharge {
	if c == nil {
		return nil
	}
	jc := &jsonCharge{Months: c.Months, Terms: c.Terms, Total: "0.00", Incomplete: c.Incomplete}
	if d, ok := money.Parse(c.Total); ok {
		jc.Total, jc.TotalRounded = money.Plain(d)
	}
	return jc
}

func billingJSON(bs []plan.Billing) []jsonBilling {
	out := make([]jsonBilling, len(bs))
	for i, b := range bs {
		out[i] = jsonBilling{Months: b.Months, Before: chargeJSON(b.Before), After: chargeJSON(b.After)}
	}
	return out
}

// previewJSON is a billing preview with its totals in cents.
func previewJSON(fp plan.FilePreview) jsonPreview {
	jp := jsonPreview{File: fp.File, Name: fp.Name, Customer: fp.Customer, Until: fp.Until, UntilBefore: fp.UntilBefore,
		Cycles: billingJSON(fp.Cycles), Licences: billingJSON(fp.Licences)}
	if fp.OneTime != nil {
		jp.OneTime = &billingJSON([]plan.Billing{*fp.OneTime})[0]
	}
	return jp
}
