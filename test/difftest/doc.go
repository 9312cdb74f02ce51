// Package difftest is the differential test of issue 11: random Jobs
// (test/difftest/gen) run on the local cluster, whose job controller is the
// oracle, while `kubectl job explain -o json` is sampled; the checks and the
// fixture format are in test/difftest/trace. Run it with
//
//	KJ_E2E_KUBECONFIG=... DIFFTEST_N=200 DIFFTEST_SEED=1 DIFFTEST_REPORT=docs/accuracy.md \
//	  go test -tags e2e -timeout 40m ./test/difftest/ -run TestDifferential
//
// with the plugin binary (kubectl-job) first on PATH.
package difftest
