package common

import (
	"context"
	"errors"
	"testing"

	engine "coexsync/sync"
)

// concreteJob mirrors the engine's job: the run id is a field.
type concreteJob struct {
	ID        int64
	ch        chan engine.Event
	cancelled bool
}

func (j *concreteJob) Events() <-chan engine.Event { return j.ch }
func (j *concreteJob) Wait() engine.RunSummary     { return engine.RunSummary{RunID: j.ID} }
func (j *concreteJob) Cancel()                     { j.cancelled = true }

type concreteEngineFake struct {
	job      *concreteJob
	startErr error
	opts     engine.RunOptions
}

func (e *concreteEngineFake) Plan(_ context.Context, id, region string) (*engine.Plan, error) {
	return &engine.Plan{NumberID: id, Region: region}, nil
}
func (e *concreteEngineFake) PlanRetry(_ context.Context, runID int64, region string) (*engine.Plan, error) {
	return &engine.Plan{Region: region}, nil
}
func (e *concreteEngineFake) Start(_ context.Context, _ *engine.Plan, o engine.RunOptions) (*concreteJob, error) {
	e.opts = o
	return e.job, e.startErr
}
func (e *concreteEngineFake) Resume(context.Context, int64, string) (*concreteJob, error) {
	return e.job, nil
}

func TestAdaptEngine(t *testing.T) {
	f := &concreteEngineFake{job: &concreteJob{ID: 42, ch: make(chan engine.Event)}}
	eng := AdaptEngine(f, func(j *concreteJob) int64 { return j.ID })
	p, err := eng.Plan(context.Background(), "n1", "BR")
	if err != nil || p.NumberID != "n1" || p.Region != "BR" {
		t.Fatalf("Plan = %+v, %v", p, err)
	}
	job, err := eng.Start(context.Background(), p, engine.RunOptions{ParentRunID: 3})
	if err != nil || job.RunID() != 42 || f.opts.ParentRunID != 3 {
		t.Fatalf("Start = %v, %v (opts %+v)", job, err, f.opts)
	}
	if job.Events() != (<-chan engine.Event)(f.job.ch) || job.Wait().RunID != 42 {
		t.Fatal("job does not forward to the engine's job")
	}
	job.Cancel()
	if !f.job.cancelled {
		t.Fatal("Cancel not forwarded")
	}
	f.startErr = errors.New("bad token")
	if job, err := eng.Start(context.Background(), p, engine.RunOptions{}); err == nil || job != nil {
		t.Fatalf("Start error lost: %v, %v", job, err)
	}
	if job, err := eng.Resume(context.Background(), 42, "BR"); err != nil || job.RunID() != 42 {
		t.Fatalf("Resume = %v, %v", job, err)
	}
}
