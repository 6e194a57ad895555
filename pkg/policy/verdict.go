package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Verdict is what a project's rules found in a plan, and the overrides
// the plan was made with.
type Verdict struct {
	Findings  []Finding  `json:"findings"`
	Overrides []Override `json:"overrides,omitempty"`
}

// Override is a reviewed decision to apply a plan that a rule denies: it
// names the rule, says why, and who made the plan with it and when.
type Override struct {
	Rule   string    `json:"rule"`
	Reason string    `json:"reason"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
}

// Denied returns the denials that no override covers: any stops the plan.
func (v *Verdict) Denied() []Finding {
	if v == nil {
		return nil
	}
	var out []Finding
	for _, f := range v.Findings {
		if f.Effect == Deny && !f.Overridden {
			out = append(out, f)
		}
	}
	return out
}

// Empty reports whether there is nothing to show.
func (v *Verdict) Empty() bool {
	return v == nil || (len(v.Findings) == 0 && len(v.Overrides) == 0)
}

// DeniedRules are the names of the rules with a denial no override
// covers, in order of first finding.
func (v *Verdict) DeniedRules() []string {
	var out []string
	for _, f := range v.Denied() {
		if !slices.Contains(out, f.Rule) {
			out = append(out, f.Rule)
		}
	}
	return out
}

// ErrNoReason: an override must say why.
var ErrNoReason = errors.New("an override needs a reason")

// OverrideError refuses an override: of a rule the project does not have,
// or of one that does not deny this plan.
type OverrideError struct {
	Rule string
	// Known: the project has the rule (it just did not deny).
	Known bool
	// Suggest is a rule name close to Rule, for "did you mean".
	Suggest string
	// Denying are the rules that do deny the plan.
	Denying []string
}

func (e *OverrideError) Error() string {
	var msg string
	if e.Known {
		msg = fmt.Sprintf("policy rule %q does not deny this plan: there is nothing to override", e.Rule)
	} else {
		msg = fmt.Sprintf("the project has no policy rule %q", e.Rule)
		if e.Suggest != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", e.Suggest)
		}
	}
	if len(e.Denying) > 0 {
		msg += "; the rules that deny it: " + strings.Join(e.Denying, ", ")
	}
	return msg
}

// Override marks every denial of each overridden rule as overridden and
// records the overrides. An override must name a rule of s that denies
// this plan, and give a reason: a deny is never overridden by accident.
func (v *Verdict) Override(s *Set, overrides []Override) error {
	denying := v.DeniedRules()
	for _, o := range overrides {
		if strings.TrimSpace(o.Reason) == "" {
			return fmt.Errorf("override of %q: %w", o.Rule, ErrNoReason)
		}
		if !slices.Contains(denying, o.Rule) {
			return &OverrideError{Rule: o.Rule, Known: s.Rule(o.Rule) != nil, Suggest: nearest(o.Rule, s.Names()), Denying: denying}
		}
	}
	for _, o := range overrides {
		for i := range v.Findings {
			if v.Findings[i].Rule == o.Rule && v.Findings[i].Effect == Deny {
				v.Findings[i].Overridden = true
			}
		}
		v.Overrides = append(v.Overrides, o)
	}
	return nil
}

// DeniedError stops a plan or an apply: rules deny it and no override
// names them.
type DeniedError struct {
	Denied []Finding
}

func (e *DeniedError) Error() string {
	rules := (&Verdict{Findings: e.Denied}).DeniedRules()
	return fmt.Sprintf("policy denies this plan (%s): %d denial(s)", strings.Join(rules, ", "), len(e.Denied))
}

// Check returns a *DeniedError when v has a denial no override covers.
func (v *Verdict) Check() error {
	if d := v.Denied(); len(d) > 0 {
		return &DeniedError{Denied: d}
	}
	return nil
}
