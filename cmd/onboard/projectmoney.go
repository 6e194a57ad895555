package main

import (
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/project"
)

// The project file's money settings, beside `state:`:
//
//	currency: EUR     # the currency of every price: an ISO 4217 code, 3 capital letters (default EUR)
//	vat_rate: 20%     # VAT added for customers with charge_vat: a percentage (20%, 5.5%)
//	                  # or a fraction between 0 and 1 (0.2, 0.055); default 20%
//
// Plans show money excl. VAT in the currency, and incl. VAT beside it.

// projectMoney reads the money settings of the project of the manifests
// at paths (found as its state is, see statelocation.go; pkg/project
// checks them): the defaults when there is no project file or it sets
// none.
func projectMoney(paths []string) (plan.MoneySettings, error) {
	proj, err := projectFile(paths)
	if err != nil || proj == "" {
		return plan.MoneySettings{}, err
	}
	f, err := project.Read(proj, relToCwd(proj))
	if err != nil {
		return plan.MoneySettings{}, err
	}
	return plan.MoneySettings{Currency: f.Currency, VATRate: f.VAT()}, nil
}
