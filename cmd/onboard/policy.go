package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/planfile"
	"github.com/onboardhq/onboard/pkg/policy"
	"github.com/onboardhq/onboard/pkg/project"
	"github.com/onboardhq/onboard/pkg/state"
)

// The project's money guardrails (README, Money guardrails): the rules of
// onboard.project's `policy:` list, compiled when the project loads and
// evaluated on every plan.

// loadPolicy compiles the project's rules: none without a project file or
// a `policy:` list. A bad rule prints every problem at its position in the
// project file and exits 1.
func (a *app) loadPolicy(paths []string) (*policy.Set, error) {
	diags, set, err := projectPolicy(paths)
	if err != nil {
		return nil, err
	}
	if len(diags) > 0 {
		for _, d := range diags {
			fmt.Fprintln(a.stderr, d.String())
		}
		return nil, &exitError{code: exitFailure, err: fmt.Errorf("%d problem(s) in the policy of %s; nothing was sent", len(diags), diags[0].Pos.File)}
	}
	return set, nil
}

// projectPolicy compiles the `policy:` list of the project file of the
// manifests at paths (pkg/project reads the file strictly; pkg/policy
// compiles the rules): the problems of a bad policy, or its rules.
func projectPolicy(paths []string) ([]manifest.Diagnostic, *policy.Set, error) {
	path, err := projectFile(paths)
	if err != nil || path == "" {
		return nil, &policy.Set{}, err
	}
	name := relToCwd(path)
	f, err := project.Read(path, name)
	var me *manifest.Error
	if errors.As(err, &me) {
		return me.Diagnostics, nil, nil
	}
	if err != nil {
		return nil, nil, &usageError{err}
	}
	if f.Policy.Kind == 0 {
		return nil, &policy.Set{}, nil
	}
	set, err := policy.ParseNode(name, f.Source(), &f.Policy)
	var pe *policy.Error
	if errors.As(err, &pe) {
		return pe.Diagnostics, nil, nil
	}
	return nil, set, err
}

// loadPolicyDiagnostics is the problems of the project file and its
// policy, for validate (which prints them with the manifests').
func (a *app) loadPolicyDiagnostics(paths []string) ([]manifest.Diagnostic, error) {
	diags, _, err := projectPolicy(paths)
	return diags, err
}

// planFacts is the money a plan rule sees, from the plan's money model
// (excl. VAT, so the project's VAT rate does not matter): per month before
// and after, and the change of one-time charges, exact.
func planFacts(p *plan.Plan) policy.Facts {
	b := p.Bill(plan.MoneySettings{})
	return policy.Facts{PerMonthBefore: b.PerMonthBefore.Text('f'), PerMonthAfter: b.PerMonthAfter.Text('f'), OneTime: b.OneTime.Text('f')}
}

// judge evaluates the project's rules on p and applies the overrides; nil
// when the project has no rules (the plans then show no policy section).
// A rule that cannot be evaluated exits 1, naming it and the object.
func (a *app) judge(set *policy.Set, p *plan.Plan, overrides []policy.Override) (*policy.Verdict, error) {
	if len(set.Rules) == 0 && len(overrides) == 0 {
		return nil, nil
	}
	v, err := set.Evaluate(policy.Input{Plan: p, Facts: planFacts(p)})
	var ee policy.EvalErrors
	if errors.As(err, &ee) {
		for _, e := range ee {
			fmt.Fprintln(a.stderr, e.Error())
		}
		return nil, &exitError{code: exitFailure, err: fmt.Errorf("%d policy rule evaluation(s) failed; nothing was sent", len(ee))}
	}
	if err != nil {
		return nil, err
	}
	if err := v.Override(set, overrides); err != nil {
		return nil, &usageError{fmt.Errorf("--override: %w", err)}
	}
	return v, nil
}

// overrideFlags are plan's --override and --reason.
type overrideFlags struct {
	rules  []string
	reason string
}

func (o *overrideFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&o.rules, "override", nil, "with --out and --reason: save the plan although this policy rule denies it (repeatable); apply FILE applies it and records the override in the state's history")
	fs.StringVar(&o.reason, "reason", "", "why the overridden rules do not apply here (saved with the plan, shown by show FILE, recorded by apply FILE)")
}

// overrides checks the flags and returns the overrides they make, by
// whoever runs the plan, now.
func (o *overrideFlags) overrides(out string) ([]policy.Override, error) {
	switch {
	case len(o.rules) == 0 && o.reason != "":
		return nil, usagef("--reason goes with --override RULE (the policy rule that denies the plan)")
	case len(o.rules) == 0:
		return nil, nil
	case strings.TrimSpace(o.reason) == "":
		return nil, usagef("--override needs --reason TEXT: an override says why the rule does not apply here")
	case out == "":
		return nil, usagef("--override is saved with the plan, for review: give --out FILE, then apply FILE")
	}
	var ovs []policy.Override
	at, by := time.Now().UTC().Truncate(time.Second), actor()
	for _, r := range o.rules {
		ovs = append(ovs, policy.Override{Rule: r, Reason: strings.TrimSpace(o.reason), By: by, At: at})
	}
	return ovs, nil
}

// actor names who runs onboard: the CI's user when a pipeline runs it,
// else user@host.
func actor() string {
	for _, env := range []string{"GITHUB_ACTOR", "GITLAB_USER_LOGIN"} {
		if v := strings.TrimSpace(os.Getenv(env)); v != "" {
			return v
		}
	}
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if host, err := os.Hostname(); err == nil && name != "" {
		return name + "@" + host
	}
	return name
}

// denied is the error of a plan or apply that the policy stops.
func denied(v *policy.Verdict, nothing string) error {
	rules := v.DeniedRules()
	return &exitError{code: exitFailure, err: fmt.Errorf("policy rule(s) %s deny this plan; %s. For a reviewed exception: "+
		"onboard plan ... --out FILE --override %s --reason TEXT, then onboard apply FILE", strings.Join(rules, ", "), nothing, rules[0])}
}

// savedVerdict judges a saved plan by the project's rules as they are
// now, with the overrides it was saved with that still apply: a rule added
// since, or one that now denies, stops it like any plan.
func (a *app) savedVerdict(set *policy.Set, saved *planfile.File, p *plan.Plan) (*policy.Verdict, error) {
	v, err := a.judge(set, p, nil)
	if err != nil || v == nil || saved.Policy == nil {
		return v, err
	}
	var still []policy.Override
	for _, o := range saved.Policy.Overrides {
		for _, r := range v.DeniedRules() {
			if o.Rule == r {
				still = append(still, o)
			}
		}
	}
	return v, v.Override(set, still)
}

// recordOverrides writes each override applied into the state's history,
// before the first request.
func recordOverrides(store state.Backend, v *policy.Verdict, planPath string) error {
	if v == nil {
		return nil
	}
	by := actor()
	for _, o := range v.Overrides {
		e := state.Event{Kind: state.EventPolicyOverride, By: by, Command: "onboard apply " + planPath,
			Details: map[string]string{"rule": o.Rule, "reason": o.Reason, "overridden_by": o.By,
				"overridden_at": o.At.UTC().Format(time.RFC3339), "plan": planPath}}
		if err := store.Record(e); err != nil {
			return fmt.Errorf("record the override of %s in the state's history: %w", o.Rule, err)
		}
	}
	return nil
}
