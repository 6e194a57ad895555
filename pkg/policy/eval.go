package policy

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/google/cel-go/interpreter"

	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
)

// Delete is the action of a step that deletes an object in BlueRockTEL
// (the lifecycle's `removed:` decisions): its `fields` are empty and its
// `before` what it removes.
// TODO(merge): plan.Delete once the lifecycle's actions are on this branch.
const Delete = plan.Action("delete")

// Facts are what a plan rule knows beyond the steps: the plan's money, as
// exact decimal text, computed by whoever owns the money model (a plan
// rule sees them as doubles, for comparisons only).
type Facts struct {
	// PerMonthBefore and PerMonthAfter are what the customer files the
	// plan touches bill per month, before and after it.
	PerMonthBefore, PerMonthAfter string
	// OneTime is the one-time charges the plan adds.
	OneTime string
}

// Input is what rules are evaluated against.
type Input struct {
	Plan  *plan.Plan
	Facts Facts
	// Items are catalog items known only by id (a line's `item_id:`), as
	// read from BlueRockTEL: wire field -> text, by id text. Nil when none
	// were read; such a line's `item` is then empty.
	Items map[string]map[string]string
}

// Finding is one rule that matched: on a step (Address set) or on the
// whole plan.
type Finding struct {
	Rule   string `json:"rule"`
	Effect Effect `json:"effect"`
	// Message is the rule's message, or one naming the rule.
	Message string `json:"message"`
	// Address and Pos are the object judged and where its manifest
	// declares it ("file:line:col"); empty for a plan rule.
	Address string `json:"address,omitempty"`
	Pos     string `json:"position,omitempty"`
	// RulePos is where the rule is written in the project file.
	RulePos string `json:"rule_position"`
	// Overridden: a deny the plan was made with an override of.
	Overridden bool `json:"overridden,omitempty"`
}

// Where is the position to show: the object's, else the rule's.
func (f Finding) Where() string {
	if f.Pos != "" {
		return f.Pos
	}
	return f.RulePos
}

// EvalError is a rule that could not be evaluated on a step or plan (a
// missing field read without has(), a division by zero): the plan stops,
// as for a deny, since the rule could not say the change is fine.
type EvalError struct {
	Rule, RulePos   string
	Address, Pos    string
	Err             error
	guardHintNeeded bool
}

func (e *EvalError) Error() string {
	on := "the plan"
	if e.Address != "" {
		on = e.Address
		if e.Pos != "" {
			on += " (" + e.Pos + ")"
		}
	}
	msg := fmt.Sprintf("%s: policy rule %q cannot be evaluated on %s: %v", e.RulePos, e.Rule, on, e.Err)
	if e.guardHintNeeded {
		msg += "; read a field that may be unset behind has(), e.g. `has(fields.discount_rate) && fields.discount_rate > 0.3`"
	}
	return msg
}

// EvalErrors are every rule that could not be evaluated.
type EvalErrors []*EvalError

func (e EvalErrors) Error() string {
	if len(e) == 1 {
		return e[0].Error()
	}
	return fmt.Sprintf("%s (and %d more)", e[0].Error(), len(e)-1)
}

// Evaluate runs every rule: step rules on each step that changes
// something (an unchanged object is not judged again: a price agreed
// years ago does not block today's plan), plan rules once. Findings come
// in plan order, then plan rules.
func (s *Set) Evaluate(in Input) (*Verdict, error) {
	v := &Verdict{Findings: []Finding{}}
	if s == nil || len(s.Rules) == 0 {
		return v, nil
	}
	var errs EvalErrors
	var stepRules, planRules []*Rule
	for _, r := range s.Rules {
		if r.Scope == PlanScope {
			planRules = append(planRules, r)
		} else {
			stepRules = append(stepRules, r)
		}
	}
	if len(stepRules) > 0 {
		for _, st := range in.Plan.Steps {
			if st.Action == plan.NoOp {
				continue
			}
			vars := &stepVars{in: in, st: st}
			for _, r := range stepRules {
				if len(r.Kinds) > 0 && !containsKind(r.Kinds, st.Kind) {
					continue
				}
				hit, err := r.eval(vars)
				if err != nil {
					errs = append(errs, &EvalError{Rule: r.Name, RulePos: r.Pos.String(), Address: st.Addr, Pos: st.Pos, Err: err,
						guardHintNeeded: strings.Contains(err.Error(), "no such key")})
					continue
				}
				if hit {
					v.Findings = append(v.Findings, Finding{Rule: r.Name, Effect: r.Effect, Message: r.message(), Address: st.Addr,
						Pos: st.Pos, RulePos: r.Pos.String()})
				}
			}
		}
	}
	if len(planRules) > 0 {
		vars, err := interpreter.NewActivation(map[string]any{"plan": planVars(in)})
		if err != nil {
			return nil, err
		}
		for _, r := range planRules {
			hit, err := r.eval(vars)
			if err != nil {
				errs = append(errs, &EvalError{Rule: r.Name, RulePos: r.Pos.String(), Err: err})
				continue
			}
			if hit {
				v.Findings = append(v.Findings, Finding{Rule: r.Name, Effect: r.Effect, Message: r.message(), RulePos: r.Pos.String()})
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return v, nil
}

func (r *Rule) eval(vars interpreter.Activation) (bool, error) {
	out, _, err := r.prg.Eval(vars)
	if err != nil {
		return false, err
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("the expression gave %v, not true or false", out.Value())
	}
	return b, nil
}

func (r *Rule) message() string {
	if r.Message != "" {
		return r.Message
	}
	if r.Effect == Deny {
		return "denied by policy rule " + r.Name
	}
	return "flagged by policy rule " + r.Name
}

func containsKind(ks []resource.Kind, k resource.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// stepVars are a step rule's variables, each computed when a rule first
// reads it: most rules read a few, and a plan has tens of thousands of
// steps.
type stepVars struct {
	in Input
	st *plan.Step

	specs                bool
	after, before        map[string]string
	fields, prior, items map[string]any
}

// ResolveName implements interpreter.Activation.
func (v *stepVars) ResolveName(name string) (any, bool) {
	switch name {
	case "address":
		return v.st.Addr, true
	case "kind":
		return string(v.st.Kind), true
	case "action":
		return string(v.st.Action), true
	case "fields":
		if v.fields == nil {
			v.resolveSpecs()
			v.fields = Fields(resource.Get(v.st.Kind), v.after)
		}
		return v.fields, true
	case "before":
		if v.prior == nil {
			v.resolveSpecs()
			v.prior = Fields(resource.Get(v.st.Kind), v.before)
		}
		return v.prior, true
	case "item":
		if v.items == nil {
			v.resolveSpecs()
			line := v.after
			if line == nil {
				line = v.before
			}
			v.items = Fields(resource.Get(resource.Item), itemSpec(v.in, resource.Get(v.st.Kind), line))
		}
		return v.items, true
	}
	return nil, false
}

// Parent implements interpreter.Activation: there is none.
func (v *stepVars) Parent() interpreter.Activation { return nil }

// resolveSpecs sets the object's specs after and before the step. A
// follow-up step (a file's contacts and billing dates, PUT once the file
// exists) is judged with the fields of its whole object, so that a rule on
// a kind sees the same fields on both of its steps. Nothing is left after
// a delete: what it removes is `before`.
func (v *stepVars) resolveSpecs() {
	if v.specs {
		return
	}
	v.specs = true
	st := v.st
	v.after, v.before = st.Spec, beforeSpec(st)
	if st.Of != "" {
		if obj := v.in.Plan.ByAddr[st.Of]; obj != nil {
			v.after = merge(obj.Spec, st.Spec)
			v.before = merge(beforeSpec(obj), v.before)
		}
	}
	if st.Action == Delete {
		if v.before == nil {
			v.before = v.after
		}
		v.after = nil
	}
}

// beforeSpec is what the object was before the step: its recorded spec
// (the manifest's for one imported by hand); nothing for a create.
func beforeSpec(st *plan.Step) map[string]string {
	if st.Action == plan.Create || st.Existing == nil {
		return nil
	}
	if st.Existing.Spec == nil {
		return st.Spec
	}
	return st.Existing.Spec
}

func merge(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// itemSpec is the catalog item a line bills (the table's reference to a
// priced kind): the item's step in the plan, or an item read by id.
func itemSpec(in Input, spec *resource.Spec, line map[string]string) map[string]string {
	for _, f := range spec.Fields {
		if f.Type != resource.Reference || f.Target != resource.Item {
			continue
		}
		ref := line[f.WireName()]
		if addr, ok := strings.CutPrefix(ref, "@"); ok {
			if t := in.Plan.ByAddr[addr]; t != nil {
				return t.Spec
			}
			return nil
		}
		return in.Items[ref]
	}
	return nil
}

// Fields turns a step's spec (wire field -> text) into a rule's view of
// the object: manifest field names, decimals as doubles, integers as
// ints, booleans, strings and dates as text; a reference by its local
// name under the manifest key (`item: sip-trunk`) or its id under the id
// key (`item_id: 42`); `extra:` entries as JSON values under "extra". The
// parent link and query parameters are left out: the address says where
// the object is.
func Fields(spec *resource.Spec, wire map[string]string) map[string]any {
	out := make(map[string]any, len(wire))
	if spec == nil || wire == nil {
		return out
	}
	for _, f := range spec.Fields {
		text, ok := wire[f.WireName()]
		if !ok || text == "" {
			continue
		}
		switch f.Type {
		case resource.Decimal:
			if x, err := strconv.ParseFloat(text, 64); err == nil {
				out[f.Name] = x
			}
		case resource.Integer:
			if n, err := strconv.ParseInt(text, 10, 64); err == nil {
				out[f.Name] = n
			}
		case resource.Boolean:
			out[f.Name] = text == "true"
		case resource.Reference:
			if addr, ok := strings.CutPrefix(text, "@"); ok {
				out[f.Name] = localName(addr)
			} else if n, err := strconv.ParseInt(text, 10, 64); err == nil && f.IDName != "" {
				out[f.IDName] = n
			}
		case resource.ReferenceList:
			var names []any
			var ids []any
			for _, it := range resource.SplitList(text) {
				if addr, ok := strings.CutPrefix(it, "@"); ok {
					names = append(names, localName(addr))
				} else if n, err := strconv.ParseInt(it, 10, 64); err == nil {
					ids = append(ids, n)
				}
			}
			if names != nil {
				out[f.Name] = names
			}
			if ids != nil && f.IDName != "" {
				out[f.IDName] = ids
			}
		default:
			out[f.Name] = text
		}
	}
	var extra map[string]any
	for k, text := range wire {
		if _, known := spec.WireField(k); known || strings.HasPrefix(k, "?") || spec.IsParentWire(k) {
			continue
		}
		if extra == nil {
			extra = map[string]any{}
		}
		var v any
		if json.Unmarshal([]byte(text), &v) == nil {
			extra[k] = v
		}
	}
	if extra != nil {
		out[resource.ExtraKey] = extra
	}
	return out
}

// localName is the last name of an address ("item.sip-trunk" -> "sip-trunk").
func localName(addr string) string {
	if i := strings.LastIndexByte(addr, '.'); i >= 0 {
		return addr[i+1:]
	}
	return addr
}

// planVars is a plan rule's `plan`: the money as doubles (comparisons
// only) and the number of steps of each action.
func planVars(in Input) PlanVars {
	counts := map[string]int64{}
	for _, st := range in.Plan.Steps {
		counts[string(st.Action)]++
	}
	return PlanVars{
		PerMonthBefore: double(in.Facts.PerMonthBefore),
		PerMonthAfter:  double(in.Facts.PerMonthAfter),
		OneTime:        double(in.Facts.OneTime),
		Counts:         counts,
	}
}

// double converts exact decimal text for a comparison; "" is 0.
func double(s string) float64 {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return 0
	}
	f, err := d.Float64()
	if err != nil {
		return 0
	}
	return f
}
