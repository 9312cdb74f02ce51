package kube

import "k8s.io/client-go/kubernetes"

// The full clientset (and so the tests' fake) is a Client.
var _ Client = kubernetes.Interface(nil)
