// Package difftest is the differential test of issues 11 and 16: random
// Jobs (test/difftest/gen) and live states set up by the harness run on the
// local cluster while `kubectl job explain -o json` is sampled. The oracle
// is independent of the plugin: the harness's own informers record what the
// controllers did (test/difftest/trace.Record) and the test's model of the
// controller's rules (trace/model.go) says what each sample must report.
// Run it with
//
//	make difftest N=200 SEED=1     # fresh clusters; a passing run writes docs/accuracy.md
//	make difftest-mutants          # each deliberate bug in a copy of pkg/explain must fail it
//
// or against running clusters with KJ_E2E_KUBECONFIG (and
// DIFFTEST_STOCK_KUBECONFIG for the stock-backoff cases), DIFFTEST_N,
// DIFFTEST_SEED, DIFFTEST_ONLY=3,7 and the plugin binary first on PATH:
//
//	go test -tags e2e -timeout 40m ./test/difftest/ -run TestDifferential
package difftest
