//go:build ignore

// gitlab-ci-scripts extracts the shell scripts of a .gitlab-ci.yml, one
// file per job (its before_script, or the default one, then script and
// after_script, as the runner joins them), so that shellcheck can lint
// them: actionlint does this for GitHub workflows, nothing does it for
// GitLab. Used by `make lint-ci`:
//
//	go run scripts/gitlab-ci-scripts.go FILE DIR
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// job is the part of a GitLab job that holds shell.
type job struct {
	BeforeScript []string `yaml:"before_script"`
	Script       []string `yaml:"script"`
	AfterScript  []string `yaml:"after_script"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/gitlab-ci-scripts.go FILE DIR")
		os.Exit(2)
	}
	if err := extract(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "gitlab-ci-scripts:", err)
		os.Exit(1)
	}
}

func extract(file, dir string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(data, &top); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	var def job
	if n, ok := top["default"]; ok {
		if err := n.Decode(&def); err != nil {
			return fmt.Errorf("%s: default: %w", file, err)
		}
	}
	names := make([]string, 0, len(top))
	for name := range top {
		names = append(names, name)
	}
	sort.Strings(names)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	n := 0
	for _, name := range names {
		node := top[name]
		if name == "default" || node.Kind != yaml.MappingNode {
			continue
		}
		var j job
		if err := node.Decode(&j); err != nil || len(j.Script) == 0 {
			continue // not a job (variables, workflow, stages...)
		}
		before := j.BeforeScript
		if before == nil {
			before = def.BeforeScript
		}
		var b strings.Builder
		fmt.Fprintf(&b, "#!/bin/sh\n# %s: job %s\nset -e\n", file, name)
		for _, part := range [][]string{before, j.Script, j.AfterScript} {
			for _, line := range part {
				b.WriteString(line)
				b.WriteString("\n")
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name+".sh"), []byte(b.String()), 0o644); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s: no job with a script", file)
	}
	return nil
}
