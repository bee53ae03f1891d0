package common

import (
	"context"

	engine "coexsync/sync"
)

// engineJob is the method set of the engine's job type.
type engineJob interface {
	Events() <-chan engine.Event
	Wait() engine.RunSummary
	Cancel()
}

// concreteEngine is the method set of *sync.Engine, generic over its job
// type so the console compiles against the engine's signatures without
// depending on the concrete job struct.
type concreteEngine[J engineJob] interface {
	Plan(ctx context.Context, numberID, region string) (*engine.Plan, error)
	PlanRetry(ctx context.Context, runID int64, region string) (*engine.Plan, error)
	Start(ctx context.Context, plan *engine.Plan, opts engine.RunOptions) (J, error)
	Resume(ctx context.Context, runID int64, region string) (J, error)
}

// AdaptEngine turns an engine whose Start/Resume return a concrete job into
// an Engine. runID reads the job's run id (the engine exposes it as a field):
//
//	common.AdaptEngine(eng, func(j *sync.Job) int64 { return j.ID })
func AdaptEngine[J engineJob](e concreteEngine[J], runID func(J) int64) Engine {
	return adapted[J]{e: e, runID: runID}
}

type adapted[J engineJob] struct {
	e     concreteEngine[J]
	runID func(J) int64
}

func (a adapted[J]) Plan(ctx context.Context, numberID, region string) (*engine.Plan, error) {
	return a.e.Plan(ctx, numberID, region)
}

func (a adapted[J]) PlanRetry(ctx context.Context, runID int64, region string) (*engine.Plan, error) {
	return a.e.PlanRetry(ctx, runID, region)
}

func (a adapted[J]) Start(ctx context.Context, plan *engine.Plan, opts engine.RunOptions) (Job, error) {
	return a.wrap(a.e.Start(ctx, plan, opts))
}

func (a adapted[J]) Resume(ctx context.Context, runID int64, region string) (Job, error) {
	return a.wrap(a.e.Resume(ctx, runID, region))
}

func (a adapted[J]) wrap(j J, err error) (Job, error) {
	if err != nil {
		return nil, err
	}
	return adaptedJob[J]{j: j, id: a.runID(j)}, nil
}

type adaptedJob[J engineJob] struct {
	j  J
	id int64
}

func (a adaptedJob[J]) RunID() int64                { return a.id }
func (a adaptedJob[J]) Events() <-chan engine.Event { return a.j.Events() }
func (a adaptedJob[J]) Wait() engine.RunSummary     { return a.j.Wait() }
func (a adaptedJob[J]) Cancel()                     { a.j.Cancel() }

// FromSync is the Engine of a *sync.Engine; it also reports index builds
// (ProgressPlanner).
func FromSync(e *engine.Engine) Engine {
	return syncEngine{Engine: AdaptEngine(e, func(j *engine.Job) int64 { return j.ID }), e: e}
}

// ProgressPlanner is an Engine that can report the index build a plan
// waits on.
type ProgressPlanner interface {
	PlanProgress(ctx context.Context, numberID, region string, progress func(engine.IndexProgress)) (*engine.Plan, error)
}

type syncEngine struct {
	Engine
	e *engine.Engine
}

// PlanProgress plans with progress hearing about the index build. The
// backend makes an engine per call, so setting its hook races nothing.
func (s syncEngine) PlanProgress(ctx context.Context, numberID, region string, progress func(engine.IndexProgress)) (*engine.Plan, error) {
	s.e.IndexProgress = progress
	defer func() { s.e.IndexProgress = nil }()
	return s.e.Plan(ctx, numberID, region)
}

// Undoer is an Engine that can archive the records a run created.
type Undoer interface {
	PlanUndo(ctx context.Context, runID int64) (*engine.UndoPlan, error)
	StartUndo(ctx context.Context, p *engine.UndoPlan) (Job, error)
}

// PlanUndo previews the undo of run runID.
func (s syncEngine) PlanUndo(ctx context.Context, runID int64) (*engine.UndoPlan, error) {
	return s.e.PlanUndo(ctx, runID)
}

// StartUndo archives what p lists, as a run of its own.
func (s syncEngine) StartUndo(ctx context.Context, p *engine.UndoPlan) (Job, error) {
	j, err := s.e.StartUndo(ctx, p)
	if err != nil {
		return nil, err
	}
	return adaptedJob[*engine.Job]{j: j, id: j.ID}, nil
}
