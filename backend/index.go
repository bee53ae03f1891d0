package backend

import (
	"context"
	"errors"
	"fmt"

	"coexsync/store"
	engine "coexsync/sync"
)

// IndexRegion is the region the local index of crmName is read in, the
// one a sync would use, so a later plan does not rebuild it, and why:
// --crm-region when set, else the country of numberID, else the region
// the index was last built in, else the country of the first Coexistence
// number (by display number). National CRM values without a record
// country are read in it.
func (b *Backend) IndexRegion(ctx context.Context, crmName, numberID string) (region, why string, err error) {
	if b.cfg.CRMRegion != "" {
		return b.cfg.CRMRegion, "--crm-region", nil
	}
	ns, err := b.Numbers(ctx)
	if err != nil {
		return "", "", err
	}
	if numberID != "" {
		if r := b.Region(numberID); r != "" {
			return r, "the country of number " + numberID, nil
		}
		return "", "", fmt.Errorf("number %s is not known here, or its country cannot be told: give --crm-region", numberID)
	}
	eng, err := b.Engine(crmName)
	if err != nil {
		return "", "", err
	}
	if st, err := b.cfg.Store.IndexState(ctx, eng.CRM.Target()); err == nil && st.DefaultRegion != "" {
		return st.DefaultRegion, "the region the index was built in", nil
	}
	for _, n := range ns {
		if r := b.Region(n.ID); n.OnBizApp && r != "" {
			return r, "the country of " + n.DisplayPhoneNumber + "; give --number or --crm-region for another", nil
		}
	}
	return "", "", errors.New("no Coexistence number tells which country national CRM values are in: give --number or --crm-region")
}

// RefreshIndex builds (first time, rebuild, or another region) or
// refreshes the local index of crmName's phone values, reporting progress
// to progress (may be nil). It reads the CRM and writes only the store.
func (b *Backend) RefreshIndex(ctx context.Context, crmName, region string, rebuild bool, progress func(engine.IndexProgress)) (store.IndexState, error) {
	eng, err := b.Engine(crmName)
	if err != nil {
		return store.IndexState{}, err
	}
	eng.IndexProgress = progress
	return eng.RefreshIndex(ctx, region, rebuild)
}

// UnreadableValues lists up to limit (0: all) phone values of crmName's
// index that gave no number, by record.
func (b *Backend) UnreadableValues(ctx context.Context, crmName string, limit int) ([]store.UnreadableValue, error) {
	eng, err := b.Engine(crmName)
	if err != nil {
		return nil, err
	}
	return b.cfg.Store.UnreadableValues(ctx, eng.CRM.Target(), limit)
}
