// Package version holds the build's version, set with -ldflags -X by the
// Makefile and goreleaser.
package version

// Set at build time: -X github.com/kubectl-job/kubectl-job/pkg/version.Version=v0.1.0
var (
	Version = "dev"
	Commit  = "unknown"
	Date    = "unknown"
)
