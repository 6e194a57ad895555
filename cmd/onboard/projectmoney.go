package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cockroachdb/apd/v3"

	moneyrule "github.com/onboardhq/onboard/pkg/money"
	"github.com/onboardhq/onboard/pkg/plan"
)

// The project file's money settings, beside `state:`:
//
//	currency: EUR     # the currency of every price: an ISO 4217 code, 3 capital letters (default EUR)
//	vat_rate: 20%     # VAT added for customers with charge_vat: a percentage (20%, 5.5%)
//	                  # or a fraction between 0 and 1 (0.2, 0.055); default 20%
//
// Plans show money excl. VAT in the currency, and incl. VAT beside it.

// projectMoney reads the money settings of the project of the manifests
// at paths (found as its state is, see statelocation.go): the defaults
// when there is no project file or it sets none.
func projectMoney(paths []string) (plan.MoneySettings, error) {
	start, err := commonRoot(paths)
	if err != nil {
		return plan.MoneySettings{}, err
	}
	for dir := start; ; {
		proj := filepath.Join(dir, projectFileName)
		if _, err := os.Stat(proj); err == nil {
			return readProjectMoney(relToCwd(proj))
		}
		if fi, err := os.Stat(filepath.Join(dir, stateFileName)); err == nil && !fi.IsDir() {
			return plan.MoneySettings{}, nil
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return plan.MoneySettings{}, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return plan.MoneySettings{}, nil
		}
		dir = parent
	}
}

// readProjectMoney reads the `currency:` and `vat_rate:` lines of a
// project file; a bad value is an error at its position.
func readProjectMoney(path string) (plan.MoneySettings, error) {
	var ms plan.MoneySettings
	f, err := os.Open(path)
	if err != nil {
		return ms, fmt.Errorf("read project file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.TrimSpace(key)
		if key != "currency" && key != "vat_rate" {
			continue
		}
		if i := strings.Index(val, " #"); i >= 0 {
			val = val[:i]
		}
		val = strings.Trim(strings.TrimSpace(val), `"'`)
		col := strings.Index(raw, ":") + 2
		if v := strings.TrimLeft(raw[col-1:], " \t\"'"); v != "" {
			col = len(raw) - len(v) + 1
		}
		at := fmt.Sprintf("%s:%d:%d", path, n, col)
		switch key {
		case "currency":
			if err := checkCurrency(val); err != nil {
				return ms, fmt.Errorf("%s: %w", at, err)
			}
			ms.Currency = val
		case "vat_rate":
			rate, err := parseVATRate(val)
			if err != nil {
				return ms, fmt.Errorf("%s: %w", at, err)
			}
			ms.VATRate = rate
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return ms, fmt.Errorf("read project file %s: %w", path, err)
	}
	return ms, nil
}

// checkCurrency accepts an ISO 4217 code: three capital letters.
func checkCurrency(s string) error {
	ok := len(s) == 3
	for i := 0; ok && i < len(s); i++ {
		ok = s[i] >= 'A' && s[i] <= 'Z'
	}
	if !ok {
		hint := ""
		if up := strings.ToUpper(s); len(s) == 3 && up != s {
			hint = fmt.Sprintf(" (did you mean %s?)", up)
		}
		return fmt.Errorf("currency %q is not an ISO 4217 code%s; write three capital letters, e.g. `currency: EUR`", s, hint)
	}
	return nil
}

// parseVATRate reads a VAT rate: a percentage ("20%", "5.5%") or a
// fraction between 0 and 1 ("0.2", "0.055").
func parseVATRate(s string) (*apd.Decimal, error) {
	text, pct := strings.CutSuffix(s, "%")
	d, ok := moneyrule.Parse(text)
	bad := fmt.Errorf("vat_rate %q is not a rate; write a percentage (`vat_rate: 20%%`) or a fraction between 0 and 1 (`vat_rate: 0.2`)", s)
	if !ok || d.Negative {
		return nil, bad
	}
	if pct {
		q := new(apd.Decimal)
		if _, err := moneyrule.Context().Quo(q, d, apd.New(100, 0)); err != nil {
			return nil, bad
		}
		d = q
	}
	if d.Cmp(apd.New(1, 0)) > 0 {
		if pct {
			return nil, fmt.Errorf("vat_rate %q is over 100%%; write the rate, e.g. `vat_rate: 20%%`", s)
		}
		return nil, fmt.Errorf("vat_rate %q is over 1; write a fraction (`vat_rate: 0.2`) or a percentage (`vat_rate: %s%%`)", s, text)
	}
	return d, nil
}
