package kube

import (
	"fmt"

	authorizationv1client "k8s.io/client-go/kubernetes/typed/authorization/v1"
	batchv1client "k8s.io/client-go/kubernetes/typed/batch/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
)

// Client is the part of the Kubernetes API the plugin calls. The full
// clientset (and so the tests' fake) is one; NewClient builds only these
// three groups, so the code a command can reach names the API it uses.
type Client interface {
	CoreV1() corev1client.CoreV1Interface
	BatchV1() batchv1client.BatchV1Interface
	AuthorizationV1() authorizationv1client.AuthorizationV1Interface
}

// NewClient is kubernetes.NewForConfig for the groups of Client: one HTTP
// client and one client-side rate limiter shared by all.
func NewClient(cfg *rest.Config) (Client, error) {
	c := *cfg
	if c.UserAgent == "" {
		c.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	httpClient, err := rest.HTTPClientFor(&c)
	if err != nil {
		return nil, err
	}
	if c.RateLimiter == nil && c.QPS > 0 {
		if c.Burst <= 0 {
			return nil, fmt.Errorf("a client burst greater than 0 is required with a QPS of %v", c.QPS)
		}
		c.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(c.QPS, c.Burst)
	}
	var cs clientset
	if cs.core, err = corev1client.NewForConfigAndClient(&c, httpClient); err != nil {
		return nil, err
	}
	if cs.batch, err = batchv1client.NewForConfigAndClient(&c, httpClient); err != nil {
		return nil, err
	}
	if cs.authorization, err = authorizationv1client.NewForConfigAndClient(&c, httpClient); err != nil {
		return nil, err
	}
	return &cs, nil
}

type clientset struct {
	core          *corev1client.CoreV1Client
	batch         *batchv1client.BatchV1Client
	authorization *authorizationv1client.AuthorizationV1Client
}

func (c *clientset) CoreV1() corev1client.CoreV1Interface    { return c.core }
func (c *clientset) BatchV1() batchv1client.BatchV1Interface { return c.batch }
func (c *clientset) AuthorizationV1() authorizationv1client.AuthorizationV1Interface {
	return c.authorization
}
