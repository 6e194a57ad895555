package planfile

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/policy"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// The saved-plan format has its own types, with their own JSON names, so
// that renaming or adding a field of plan.Step (or of the types it holds)
// never changes the file silently: each type below has one pair of
// conversions (toSavedX, (savedX).plan), the only place that maps its
// fields. A field added to a plan type fails TestFormatMapsEveryField
// until it is mapped here (and Version bumped if old files no longer
// read the same) or listed in its notSaved as deliberately not saved.

// savedFile is the whole file.
type savedFile struct {
	Format  string `json:"format"` // first: IsPlan reads it from a prefix
	Version int    `json:"format_version"`
	Origin
	Steps    []savedStep       `json:"steps"`
	Orphans  []savedObject     `json:"orphans"`
	Titles   map[string]string `json:"titles"`
	Previews []savedPreview    `json:"billing_previews"`
	// Existing is what BlueRockTEL held of the objects the manifests refer
	// to by id, by kind and id: it prices lines by their item.
	Existing map[string]map[string]map[string]string `json:"referenced_objects,omitempty"`
	// Settled are the removed: entries already applied.
	Settled []savedSettled `json:"settled,omitempty"`
	// Policy is the project's findings and the plan's overrides, as the
	// policy package writes them (its own versioned shape).
	Policy *policy.Verdict `json:"policy,omitempty"`
}

// savedStep is a plan.Step.
type savedStep struct {
	Addr      string            `json:"address"`
	Kind      string            `json:"kind"`
	Action    string            `json:"action"`
	Label     string            `json:"label,omitempty"`
	Group     string            `json:"group,omitempty"`
	Method    string            `json:"method,omitempty"`
	Path      string            `json:"path,omitempty"`
	Query     []savedValue      `json:"query,omitempty"`
	Body      []savedValue      `json:"body,omitempty"`
	Pos       string            `json:"pos,omitempty"`
	Where     map[string]string `json:"where,omitempty"`
	Deps      []string          `json:"depends_on"`
	Existing  *savedObject      `json:"existing,omitempty"`
	Verify    bool              `json:"lookup_first,omitempty"`
	Changes   []savedChange     `json:"changes,omitempty"`
	Spec      map[string]string `json:"spec"`
	Hash      string            `json:"hash"`
	Imported  bool              `json:"imported,omitempty"`
	Gone      bool              `json:"gone,omitempty"`
	Of        string            `json:"of,omitempty"`
	Offer     string            `json:"offer,omitempty"`
	Overrides []string          `json:"overrides,omitempty"`
	Refs      []savedReferenced `json:"references,omitempty"`
	// File is the manifest file of the object (or of its removed: entry).
	File string `json:"file,omitempty"`
	// Commitment and ReferredBy are an end step's warnings.
	Commitment *savedCommitment `json:"commitment,omitempty"`
	ReferredBy []string         `json:"referred_by,omitempty"`
}

// savedCommitment is a plan.Commitment.
type savedCommitment struct {
	Ends       string `json:"ends"`
	MonthsLeft int    `json:"months_left"`
}

// savedSettled is a plan.Settled: a removed: entry already applied.
type savedSettled struct {
	Addr string `json:"address"`
	Then string `json:"then"`
	Pos  string `json:"pos"`
	Kind string `json:"kind"`
}

func toSavedStep(s *plan.Step) savedStep {
	out := savedStep{
		Addr: s.Addr, Kind: string(s.Kind), Action: string(s.Action), Label: s.Label, Group: s.Group,
		Method: s.Method, Path: s.Path, Query: toSavedValues(s.Query), Body: toSavedValues(s.Body),
		Pos: s.Pos, Where: s.Where, Deps: s.Deps, Verify: s.Verify, Spec: s.Spec, Hash: s.Hash,
		Imported: s.Imported, Gone: s.Gone, Of: s.Of, Offer: s.Offer, Overrides: s.Overrides,
	}
	if s.Existing != nil {
		e := toSavedObject(s.Existing)
		out.Existing = &e
	}
	out.File, out.ReferredBy = s.File, s.ReferredBy
	if c := s.Commitment; c != nil {
		out.Commitment = &savedCommitment{Ends: c.Ends, MonthsLeft: c.MonthsLeft}
	}
	for _, r := range s.Refs {
		out.Refs = append(out.Refs, savedReferenced{Field: r.Field, Kind: string(r.Kind), ID: r.ID, Label: r.Label, Price: r.Price, Pos: r.Pos})
	}
	for _, c := range s.Changes {
		out.Changes = append(out.Changes, toSavedChange(c))
	}
	return out
}

func (s savedStep) plan() *plan.Step {
	out := &plan.Step{
		Addr: s.Addr, Kind: resource.Kind(s.Kind), Action: plan.Action(s.Action), Label: s.Label, Group: s.Group,
		Method: s.Method, Path: s.Path, Query: fromSavedValues(s.Query), Body: fromSavedValues(s.Body),
		Pos: s.Pos, Where: s.Where, Deps: s.Deps, Verify: s.Verify, Spec: s.Spec, Hash: s.Hash,
		Imported: s.Imported, Gone: s.Gone, Of: s.Of, Offer: s.Offer, Overrides: s.Overrides,
	}
	if s.Existing != nil {
		out.Existing = s.Existing.state()
	}
	out.File, out.ReferredBy = s.File, s.ReferredBy
	if c := s.Commitment; c != nil {
		out.Commitment = &plan.Commitment{Ends: c.Ends, MonthsLeft: c.MonthsLeft}
	}
	for _, r := range s.Refs {
		out.Refs = append(out.Refs, plan.Referenced{Field: r.Field, Kind: resource.Kind(r.Kind), ID: r.ID, Label: r.Label, Price: r.Price, Pos: r.Pos})
	}
	for _, c := range s.Changes {
		out.Changes = append(out.Changes, c.plan())
	}
	return out
}

// savedReferenced is a plan.Referenced: an object a step refers to by id,
// as BlueRockTEL held it.
type savedReferenced struct {
	Field string `json:"field"`
	Kind  string `json:"kind"`
	ID    int64  `json:"id"`
	Label string `json:"label,omitempty"`
	Price string `json:"price,omitempty"`
	Pos   string `json:"pos,omitempty"`
}

// savedValue is a resource.Value. Type is saved as its name, not its
// number, so that reordering the resource.Type constants cannot change
// what a saved plan sends; Raw as a string, so that the indented file
// keeps its bytes as they are sent.
type savedValue struct {
	Wire string       `json:"wire"`
	Type string       `json:"type"`
	Text string       `json:"text,omitempty"`
	Ref  string       `json:"ref,omitempty"`
	Raw  string       `json:"raw,omitempty"`
	Null bool         `json:"null,omitempty"`
	List []savedValue `json:"list,omitempty"`
}

func toSavedValues(vs []resource.Value) []savedValue {
	if vs == nil {
		return nil
	}
	out := make([]savedValue, len(vs))
	for i, v := range vs {
		out[i] = savedValue{Wire: v.Wire, Type: typeNames[v.Type], Text: v.Text, Ref: v.Ref, Raw: string(v.Raw), Null: v.Null,
			List: toSavedValues(v.List)}
	}
	return out
}

func fromSavedValues(vs []savedValue) []resource.Value {
	if vs == nil {
		return nil
	}
	out := make([]resource.Value, len(vs))
	for i, v := range vs {
		out[i] = resource.Value{Wire: v.Wire, Type: typeOf[v.Type], Text: v.Text, Ref: v.Ref, Raw: raw(v.Raw), Null: v.Null,
			List: fromSavedValues(v.List)}
	}
	return out
}

func raw(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

// typeNames are the saved names of the field types; a new resource.Type
// needs one (TestTypeNames).
var typeNames = map[resource.Type]string{
	resource.String:        "string",
	resource.Integer:       "integer",
	resource.Decimal:       "decimal",
	resource.Boolean:       "boolean",
	resource.Date:          "date",
	resource.Reference:     "reference",
	resource.ReferenceList: "reference_list",
}

var typeOf = func() map[string]resource.Type {
	m := make(map[string]resource.Type, len(typeNames))
	for t, n := range typeNames {
		m[n] = t
	}
	return m
}()

// savedChange is a plan.FieldChange.
type savedChange struct {
	Field   string `json:"field"`
	Old     string `json:"old"`
	New     string `json:"new"`
	Reset   bool   `json:"reset,omitempty"`
	Drifted bool   `json:"drifted,omitempty"`
}

func toSavedChange(c plan.FieldChange) savedChange {
	return savedChange{Field: c.Field, Old: c.Old, New: c.New, Reset: c.Reset, Drifted: c.Drifted}
}

func (c savedChange) plan() plan.FieldChange {
	return plan.FieldChange{Field: c.Field, Old: c.Old, New: c.New, Reset: c.Reset, Drifted: c.Drifted}
}

// savedObject is a state.Object: a step's existing record, or an orphan.
type savedObject struct {
	Addr     string            `json:"addr"`
	Kind     string            `json:"kind"`
	ID       int64             `json:"id,omitempty"`
	Status   string            `json:"status"`
	Hash     string            `json:"hash"`
	Spec     map[string]string `json:"spec,omitempty"`
	Returned map[string]string `json:"returned,omitempty"`
	File     string            `json:"file,omitempty"`
	Ended    string            `json:"ended,omitempty"`
	Time     time.Time         `json:"time"`
}

func toSavedObject(o *state.Object) savedObject {
	return savedObject{Addr: o.Addr, Kind: o.Kind, ID: o.ID, Status: string(o.Status), Hash: o.Hash,
		Spec: maps.Clone(o.Spec), Returned: maps.Clone(o.Returned), File: o.File, Ended: o.Ended, Time: o.Time}
}

func (o savedObject) state() *state.Object {
	return &state.Object{Addr: o.Addr, Kind: o.Kind, ID: o.ID, Status: state.Status(o.Status), Hash: o.Hash,
		Spec: o.Spec, Returned: o.Returned, File: o.File, Ended: o.Ended, Time: o.Time}
}

// savedPreview is a plan.FilePreview. A Billing's Charge is not saved:
// the list it is in says it (one_time, recurring, licences).
type savedPreview struct {
	File     string `json:"file"`
	Name     string `json:"name"`
	Customer string `json:"customer"`
	// Until and UntilBefore are the file's services_stop after and
	// before the plan.
	Until       string         `json:"until,omitempty"`
	UntilBefore string         `json:"until_before,omitempty"`
	OneTime     *savedBilling  `json:"one_time,omitempty"`
	Cycles      []savedBilling `json:"recurring,omitempty"`
	Licences    []savedBilling `json:"licences,omitempty"`
}

func toSavedPreview(p plan.FilePreview) savedPreview {
	out := savedPreview{File: p.File, Name: p.Name, Customer: p.Customer, Until: p.Until, UntilBefore: p.UntilBefore,
		Cycles: toSavedBillings(p.Cycles), Licences: toSavedBillings(p.Licences)}
	if p.OneTime != nil {
		b := toSavedBilling(*p.OneTime)
		out.OneTime = &b
	}
	return out
}

func (p savedPreview) plan() plan.FilePreview {
	out := plan.FilePreview{File: p.File, Name: p.Name, Customer: p.Customer, Until: p.Until, UntilBefore: p.UntilBefore,
		Cycles: fromSavedBillings(p.Cycles, resource.PerCycle), Licences: fromSavedBillings(p.Licences, resource.PerRenewal)}
	if p.OneTime != nil {
		b := p.OneTime.plan(resource.OneTime)
		out.OneTime = &b
	}
	return out
}

// savedBilling is a plan.Billing.
type savedBilling struct {
	Months int          `json:"months,omitempty"`
	Before *savedCharge `json:"before,omitempty"`
	After  *savedCharge `json:"after,omitempty"`
}

func toSavedBilling(b plan.Billing) savedBilling {
	return savedBilling{Months: b.Months, Before: toSavedCharge(b.Before), After: toSavedCharge(b.After)}
}

func (b savedBilling) plan(charge resource.Charge) plan.Billing {
	return plan.Billing{Charge: charge, Months: b.Months, Before: b.Before.plan(), After: b.After.plan()}
}

func toSavedBillings(bs []plan.Billing) []savedBilling {
	if bs == nil {
		return nil
	}
	out := make([]savedBilling, len(bs))
	for i, b := range bs {
		out[i] = toSavedBilling(b)
	}
	return out
}

func fromSavedBillings(bs []savedBilling, charge resource.Charge) []plan.Billing {
	if bs == nil {
		return nil
	}
	out := make([]plan.Billing, len(bs))
	for i, b := range bs {
		out[i] = b.plan(charge)
	}
	return out
}

// savedCharge is a plan.Charge.
type savedCharge struct {
	Months     int      `json:"months,omitempty"`
	Terms      []string `json:"terms"`
	Total      string   `json:"total"`
	Incomplete bool     `json:"incomplete,omitempty"`
}

func toSavedCharge(c *plan.Charge) *savedCharge {
	if c == nil {
		return nil
	}
	return &savedCharge{Months: c.Months, Terms: c.Terms, Total: c.Total, Incomplete: c.Incomplete}
}

func (c *savedCharge) plan() *plan.Charge {
	if c == nil {
		return nil
	}
	return &plan.Charge{Months: c.Months, Terms: c.Terms, Total: c.Total, Incomplete: c.Incomplete}
}

// toSaved is the file of plan p made from o.
func toSaved(p *plan.Plan, o Origin) *savedFile {
	f := &savedFile{Format: Format, Version: Version, Origin: o, Titles: p.Titles,
		Steps: make([]savedStep, len(p.Steps))}
	for i, s := range p.Steps {
		f.Steps[i] = toSavedStep(s)
	}
	for _, o := range p.Orphans {
		f.Orphans = append(f.Orphans, toSavedObject(o))
	}
	for _, fp := range p.Previews {
		f.Previews = append(f.Previews, toSavedPreview(fp))
	}
	for _, st := range p.Settled {
		f.Settled = append(f.Settled, savedSettled{Addr: st.Addr, Then: string(st.Then), Pos: st.Pos, Kind: string(st.Kind)})
	}
	for k, byID := range p.Existing {
		if f.Existing == nil {
			f.Existing = map[string]map[string]map[string]string{}
		}
		m := map[string]map[string]string{}
		for id, fields := range byID {
			m[strconv.FormatInt(id, 10)] = fields
		}
		f.Existing[string(k)] = m
	}
	return f
}

// plan is the saved plan.
func (f *savedFile) plan() *plan.Plan {
	p := &plan.Plan{Steps: make([]*plan.Step, len(f.Steps)), Titles: f.Titles,
		ByAddr: make(map[string]*plan.Step, len(f.Steps))}
	for i, s := range f.Steps {
		p.Steps[i] = s.plan()
		p.ByAddr[s.Addr] = p.Steps[i]
	}
	for _, o := range f.Orphans {
		p.Orphans = append(p.Orphans, o.state())
	}
	for _, fp := range f.Previews {
		p.Previews = append(p.Previews, fp.plan())
	}
	for _, st := range f.Settled {
		p.Settled = append(p.Settled, plan.Settled{Addr: st.Addr, Then: resource.End(st.Then), Pos: st.Pos, Kind: resource.Kind(st.Kind)})
	}
	for k, byID := range f.Existing {
		if p.Existing == nil {
			p.Existing = plan.Existing{}
		}
		m := map[int64]map[string]string{}
		for id, fields := range byID {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				m[n] = fields
			}
		}
		p.Existing[resource.Kind(k)] = m
	}
	return p
}

// check refuses what this version cannot have written: a value of an
// unknown field type would otherwise be read as a string.
func (f *savedFile) check() error {
	var values func(addr string, vs []savedValue) error
	values = func(addr string, vs []savedValue) error {
		for _, v := range vs {
			if _, ok := typeOf[v.Type]; !ok {
				return fmt.Errorf("step %s: field %s has an unknown type %q", addr, v.Wire, v.Type)
			}
			if err := values(addr, v.List); err != nil {
				return err
			}
		}
		return nil
	}
	for _, s := range f.Steps {
		if err := values(s.Addr, s.Query); err != nil {
			return err
		}
		if err := values(s.Addr, s.Body); err != nil {
			return err
		}
	}
	return nil
}
