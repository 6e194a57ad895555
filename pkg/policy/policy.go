// Package policy holds a project's money guardrails: rules written in CEL
// (the expression language of Kubernetes' admission policies) in the
// `policy:` list of onboard.project, compiled and type-checked when the
// project loads, and evaluated against a plan's steps. A rule that warns
// is shown with the plan; a rule that denies stops plan and apply unless
// an override names it, with a reason.
//
// Policy reads plan steps (and what is passed to it as data: the plan's
// money), never the manifest model.
package policy

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
	"go.yaml.in/yaml/v3"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
)

// Effect is what a rule does when its expression is true.
type Effect string

// Effects.
const (
	// Warn shows the finding with the plan.
	Warn Effect = "warn"
	// Deny stops plan (exit 1) and apply, unless overridden by name.
	Deny Effect = "deny"
)

// Scope says what a rule judges.
type Scope string

// Scopes.
const (
	// StepScope (the default) judges each step that changes something.
	StepScope Scope = "step"
	// PlanScope judges the plan as a whole (its money and counts).
	PlanScope Scope = "plan"
)

// Rule is one compiled rule of the project's policy.
type Rule struct {
	Name string
	// Kinds limits a step rule to steps of these kinds (none: every kind).
	Kinds   []resource.Kind
	Scope   Scope
	Effect  Effect
	Expr    string
	Message string
	// Pos is where the rule starts in the project file; ExprPos where its
	// expression is.
	Pos, ExprPos manifest.Pos

	prg cel.Program
}

// Set is a project's rules, in the order written.
type Set struct {
	Rules []*Rule
}

// Rule returns the rule named name, or nil.
func (s *Set) Rule(name string) *Rule {
	if s == nil {
		return nil
	}
	for _, r := range s.Rules {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// Names are the rules' names, in order.
func (s *Set) Names() []string {
	if s == nil {
		return nil
	}
	out := make([]string, len(s.Rules))
	for i, r := range s.Rules {
		out[i] = r.Name
	}
	return out
}

// Error is a project file's policy that does not compile: every problem,
// at its position.
type Error struct {
	Diagnostics []manifest.Diagnostic
}

func (e *Error) Error() string {
	if len(e.Diagnostics) == 1 {
		return e.Diagnostics[0].String()
	}
	return fmt.Sprintf("%s (and %d more problems)", e.Diagnostics[0], len(e.Diagnostics)-1)
}

// Key is the project file's key holding the rules.
const Key = "policy"

// ruleKeys are the keys of a rule, in the order the README documents them.
var ruleKeys = []string{"name", "kinds", "scope", "deny", "warn", "message"}

// namePattern keeps rule names usable as they are in --override.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Parse reads the `policy:` list of the project file at file (its bytes
// src) and compiles its rules. Other keys of the project file are not its
// business. A file without `policy:` has no rules.
func Parse(file string, src []byte) (*Set, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, &Error{Diagnostics: []manifest.Diagnostic{{Pos: manifest.Pos{File: file}, Message: "not a YAML project file: " + err.Error()}}}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return &Set{}, nil
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == Key {
			return ParseNode(file, src, root.Content[i+1])
		}
	}
	return &Set{}, nil
}

// ParseNode compiles the rules of n, the value of a project file's
// `policy:` key (src is the whole file, for positions inside multi-line
// expressions).
func ParseNode(file string, src []byte, n *yaml.Node) (*Set, error) {
	p := &parser{file: file, lines: strings.Split(string(src), "\n")}
	set := &Set{}
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return set, nil
	case n.Kind != yaml.SequenceNode:
		p.errorf(n, "`policy:` must be a list of rules", "write `policy:` then one `- name: ...` entry per rule (see README, Money guardrails)")
		return nil, p.err()
	}
	seen := map[string]*Rule{}
	for _, item := range n.Content {
		r := p.rule(item)
		if r == nil {
			continue
		}
		if first, dup := seen[r.Name]; dup {
			p.errorf(item, fmt.Sprintf("a second policy rule named %q", r.Name), "rule names are unique (overrides name them); the first is at "+first.Pos.String())
			continue
		}
		seen[r.Name] = r
		set.Rules = append(set.Rules, r)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return set, nil
}

type parser struct {
	file  string
	lines []string
	diags []manifest.Diagnostic
}

func (p *parser) pos(n *yaml.Node) manifest.Pos {
	return manifest.Pos{File: p.file, Line: n.Line, Col: n.Column}
}

func (p *parser) errorf(n *yaml.Node, msg, hint string) {
	p.diags = append(p.diags, manifest.Diagnostic{Pos: p.pos(n), Message: msg, Hint: hint})
}

func (p *parser) err() error {
	if len(p.diags) == 0 {
		return nil
	}
	return &Error{Diagnostics: p.diags}
}

// str reads a scalar string value, or reports what it is instead.
func (p *parser) str(key string, n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, fmt.Sprintf("`%s:` must be a string", key), "")
		return "", false
	}
	return n.Value, true
}

// rule reads and compiles one rule; nil when it has errors (reported).
func (p *parser) rule(n *yaml.Node) *Rule {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "a policy rule must be a map", "write e.g. `- name: discount-cap` with `deny:` or `warn:` below it")
		return nil
	}
	before := len(p.diags)
	r := &Rule{Pos: p.pos(n), Scope: StepScope}
	var expr, kindsNode *yaml.Node
	misspelt := map[string]bool{} // keys a did-you-mean named: not also "missing"
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "name":
			r.Name, _ = p.str("name", v)
			if r.Name != "" && !namePattern.MatchString(r.Name) {
				p.errorf(v, fmt.Sprintf("policy rule name %q has characters an override cannot name", r.Name), "use letters, digits, '-', '_' and '.', e.g. discount-cap")
			}
		case "kinds":
			kindsNode = v
			r.Kinds = p.kinds(v)
		case "scope":
			s, ok := p.str("scope", v)
			if !ok {
				break
			}
			switch Scope(s) {
			case StepScope, PlanScope:
				r.Scope = Scope(s)
			default:
				p.errorf(v, fmt.Sprintf("unknown scope %q", s), "write `scope: plan` for a rule on the whole plan, or leave it out for a rule on each step")
			}
		case "deny", "warn":
			if expr != nil {
				p.errorf(k, fmt.Sprintf("a policy rule has both `%s:` and `%s:`", r.Effect, k.Value), "a rule either denies or warns: split it into two rules")
				continue
			}
			r.Effect, expr = Effect(k.Value), v
			r.Expr, _ = p.str(k.Value, v)
			r.ExprPos = p.pos(v)
		case "message":
			r.Message, _ = p.str("message", v)
		default:
			hint := "a policy rule has the keys " + strings.Join(ruleKeys, ", ")
			if s := nearest(k.Value, ruleKeys); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
				misspelt[s] = true
			}
			p.errorf(k, fmt.Sprintf("unknown key %q in a policy rule", k.Value), hint)
		}
	}
	if r.Name == "" && !misspelt["name"] && len(p.diags) == before {
		p.errorf(n, "a policy rule without `name:`", "name it (e.g. `name: discount-cap`): an override names the rule it overrides")
	}
	if expr == nil && !misspelt["deny"] && !misspelt["warn"] {
		p.errorf(n, fmt.Sprintf("policy rule %q has neither `deny:` nor `warn:`", r.Name), "add `deny: EXPRESSION` (stops plan and apply) or `warn: EXPRESSION` (shown with the plan)")
	}
	if kindsNode != nil && r.Scope == PlanScope {
		p.errorf(kindsNode, fmt.Sprintf("policy rule %q has `kinds:` and `scope: plan`", r.Name), "a plan rule judges the whole plan: remove `kinds:`")
	}
	if len(p.diags) > before {
		return nil
	}
	if !p.compile(r, expr) {
		return nil
	}
	return r
}

// kinds reads a rule's list of kinds, checked against the resource table.
func (p *parser) kinds(n *yaml.Node) []resource.Kind {
	var known []string
	for _, s := range resource.All() {
		known = append(known, string(s.Kind))
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "`kinds:` must be a list of kinds", "e.g. `kinds: [initial, recurring]`; kinds are "+strings.Join(known, ", "))
		return nil
	}
	var out []resource.Kind
	for _, k := range n.Content {
		s, ok := p.str("kinds", k)
		if !ok {
			continue
		}
		if !slices.Contains(known, s) {
			hint := "kinds are " + strings.Join(known, ", ")
			if near := nearest(s, known); near != "" {
				hint = fmt.Sprintf("did you mean %q?", near)
			}
			p.errorf(k, fmt.Sprintf("unknown kind %q", s), hint)
			continue
		}
		out = append(out, resource.Kind(s))
	}
	return out
}

// compile type-checks the rule's expression in its scope's environment;
// it must be a boolean.
func (p *parser) compile(r *Rule, n *yaml.Node) bool {
	env := stepEnv
	if r.Scope == PlanScope {
		env = planEnv
	}
	ast, iss := env.Compile(r.Expr)
	if iss.Err() != nil {
		for _, e := range iss.Errors() {
			msg := fmt.Sprintf("policy rule %q: %s", r.Name, e.Message)
			p.diags = append(p.diags, manifest.Diagnostic{Pos: p.exprPos(n, e.Location.Line(), e.Location.Column()),
				Message: msg, Hint: compileHint(r, e.Message)})
		}
		return false
	}
	if !ast.OutputType().IsExactType(types.BoolType) {
		hint := "a rule's expression says when it applies: make it a comparison, e.g. `fields.quantity > 100.0`"
		if ast.OutputType().IsExactType(types.DynType) {
			hint = "its type is only known when it runs: compare it, e.g. `" + r.Expr + " == true`"
		}
		p.errorf(n, fmt.Sprintf("policy rule %q: `%s:` is of type %s, not a boolean", r.Name, r.Effect, ast.OutputType()), hint)
		return false
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		p.errorf(n, fmt.Sprintf("policy rule %q: %v", r.Name, err), "")
		return false
	}
	r.prg = prg
	return true
}

// compileHint says how to fix the commonest mistakes.
func compileHint(r *Rule, msg string) string {
	if strings.Contains(msg, "undeclared reference") {
		if r.Scope == PlanScope {
			return "a plan rule has the variable plan (plan.per_month_before, plan.per_month_after, plan.one_time, plan.counts)"
		}
		return "a step rule has the variables address, kind, action, fields, before and item (`scope: plan` for plan.*)"
	}
	if strings.Contains(msg, "undefined field") {
		return "plan has per_month_before, per_month_after, one_time and counts"
	}
	if strings.Contains(msg, "no matching overload") {
		return "numbers compare across int and double, but arithmetic does not mix them: write 0.5, not 1/2, with doubles"
	}
	return ""
}

// exprPos maps a position in an expression (CEL's 1-based line, 0-based
// column) to the project file: a plain or quoted scalar on the key's line,
// or the lines of a block scalar (`deny: |`) below it.
func (p *parser) exprPos(n *yaml.Node, line, col int) manifest.Pos {
	pos := p.pos(n)
	if line < 1 {
		return pos
	}
	switch n.Style {
	case yaml.LiteralStyle:
		// The text starts on the line after the indicator, indented as
		// its first line is.
		l := n.Line + line
		if l-1 < len(p.lines) && n.Line < len(p.lines) {
			first := p.lines[n.Line]
			indent := len(first) - len(strings.TrimLeft(first, " "))
			return manifest.Pos{File: p.file, Line: l, Col: indent + col + 1}
		}
		return pos
	case yaml.FoldedStyle:
		return pos // folding joins lines: the scalar's position is the best known
	}
	if line > 1 {
		return pos
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		pos.Col++ // the opening quote
	}
	pos.Col += col
	return pos
}

// nearest is the candidate closest to word, for "did you mean".
func nearest(word string, candidates []string) string {
	w := []rune(strings.ToLower(word))
	best, bestDist := "", max(1, len(w)/3)+1
	for _, c := range candidates {
		if d := manifest.EditDistance(w, []rune(strings.ToLower(c)), bestDist); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// PlanVars is the variable `plan` of a plan rule. Money is in doubles for
// comparisons only: what is shown is computed exactly elsewhere.
type PlanVars struct {
	PerMonthBefore float64          `cel:"per_month_before"`
	PerMonthAfter  float64          `cel:"per_month_after"`
	OneTime        float64          `cel:"one_time"`
	Counts         map[string]int64 `cel:"counts"`
}

var (
	stepEnv = mustEnv(
		cel.Variable("address", cel.StringType),
		cel.Variable("kind", cel.StringType),
		cel.Variable("action", cel.StringType),
		cel.Variable("fields", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("before", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("item", cel.MapType(cel.StringType, cel.DynType)),
	)
	planEnv = mustEnv(
		ext.NativeTypes(ext.ParseStructTags(true), reflect.TypeFor[PlanVars]()),
		cel.Variable("plan", cel.ObjectType("policy.PlanVars")),
	)
)

func mustEnv(opts ...cel.EnvOption) *cel.Env {
	env, err := cel.NewEnv(append([]cel.EnvOption{cel.CrossTypeNumericComparisons(true)}, opts...)...)
	if err != nil {
		panic(fmt.Sprintf("policy: CEL environment: %v", err)) // a programming error, caught by every test
	}
	return env
}
