package printers

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cliprinters "k8s.io/cli-runtime/pkg/printers"

	"github.com/kubectl-job/kubectl-job/pkg/explain"
	"github.com/kubectl-job/kubectl-job/pkg/internal/testutil"
)

// capturedAt reads the "# captured-at: RFC3339" header that `make fixtures`
// writes: explaining a fixture at that instant shows what a user running
// explain at capture time saw.
func capturedAt(t *testing.T, path string, data []byte) time.Time {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "#") {
			break
		}
		if v, ok := strings.CutPrefix(line, "# captured-at:"); ok {
			at, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("%s: bad captured-at: %v", path, err)
			}
			return at
		}
	}
	t.Fatalf("%s: no # captured-at: header", path)
	return time.Time{}
}

// TestFixtureGoldens renders every Job captured from the local cluster
// (pkg/explain/testdata/fixtures) as the human view and as -o json, at its
// capture time, against golden files under testdata/fixtures. Reading these
// goldens is how the engine's words are checked against real controller
// behaviour; go test ./pkg/printers -update rewrites them.
func TestFixtureGoldens(t *testing.T) {
	files := testutil.Files(t, "fixtures/*.yaml")
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			now := capturedAt(t, path, data)
			objs, err := explain.DecodeObjects(data)
			if err != nil || len(objs.Jobs) != 1 {
				t.Fatalf("%s: %v (%d jobs)", path, err, len(objs.Jobs))
			}
			e := explain.Explain(objs.InputFor(&objs.Jobs[0], now))

			var text bytes.Buffer
			if err := PrintExplanation(&text, e, ExplainOptions{}); err != nil {
				t.Fatal(err)
			}
			checkExplainGolden(t, filepath.Join("testdata", "fixtures", name+".txt.golden"), text.Bytes())

			var js bytes.Buffer
			if err := (&cliprinters.JSONPrinter{}).PrintObj(e, &js); err != nil {
				t.Fatal(err)
			}
			checkExplainGolden(t, filepath.Join("testdata", "fixtures", name+".json.golden"), js.Bytes())
		})
	}
}
