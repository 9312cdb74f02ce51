package cmd

import (
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Client-side rate limit of every command: client-go's default of 5 requests
// a second would throttle a paginated list of 10,000 pods (20 pages) for
// seconds. The server protects itself with API Priority and Fairness.
const (
	clientQPS   = 50
	clientBurst = 100
)

// clientFromFlags builds the clientset every command uses, from the standard
// kubeconfig flags. It speaks protobuf, which the API server encodes and the
// client decodes several times faster than JSON: on a list of thousands of
// pods that is most of the command's time. tune adjusts the config further
// (logs and prune lift the rate limit, completion bounds every call).
func clientFromFlags(configFlags *genericclioptions.ConfigFlags, tune ...func(*rest.Config)) (kubernetes.Interface, error) {
	cfg, err := configFlags.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = clientQPS, clientBurst
	}
	for _, t := range tune {
		t(cfg)
	}
	return kubernetes.NewForConfig(cfg)
}
