// Command startfloor is the start-up floor of the bench: a program that
// links only the two libraries every command of the plugin is built on
// (cli-runtime's ConfigFlags, for kubectl's standard flags, and tablewriter),
// sets up the flags as the plugin's version command does (no table) and
// prints a line. What it costs, no plugin built on them avoids.
package main

import (
	"fmt"

	"github.com/olekukonko/tablewriter"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// newTable links tablewriter (and so runs its package inits) without
// building a table.
var newTable = tablewriter.NewWriter

func main() {
	flags := genericclioptions.NewConfigFlags(true)
	fmt.Println("startfloor", *flags.Namespace == "", newTable != nil)
}
