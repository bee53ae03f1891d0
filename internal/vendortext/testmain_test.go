package vendortext

import (
	"testing"

	"coexsync/internal/testexit"
)

func TestMain(m *testing.M) { testexit.Exit(m.Run()) }
