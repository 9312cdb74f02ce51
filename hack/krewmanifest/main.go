// Command krewmanifest renders the krew-release-bot template .krew.yaml into a
// concrete krew manifest, the way the bot does on a release, but taking each
// archive's sha256 from the local dist/ directory instead of downloading it.
// hack/krew-manifest.sh runs it; see there for how plugin.yaml is kept fresh.
//
//	go run ./hack/krewmanifest -template .krew.yaml -tag v0.1.0 -dist dist
//
// For hack/krew-test.sh, which has no network, it can also serve dist/ over
// HTTP on 127.0.0.1 (-serve) and render a manifest downloading from there
// (-download-base), for only the platforms built (-platforms).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/template"

	"sigs.k8s.io/yaml"
)

// missingSHA256 stands for an archive absent from dist/ under -allow-missing;
// it is not a valid manifest, only something to compare with sha256s masked.
const missingSHA256 = "0000000000000000000000000000000000000000000000000000000000000000"

func main() {
	templateFile := flag.String("template", ".krew.yaml", "krew-release-bot template to render")
	tag := flag.String("tag", "", "release tag to render for, e.g. v0.1.0")
	dist := flag.String("dist", "dist", "directory holding the release archives")
	allowMissing := flag.Bool("allow-missing", false, "render archives missing from -dist with an all-zero sha256 (for comparisons that ignore sha256s)")
	downloadBase := flag.String("download-base", "", "download the archives from this URL instead of the release URLs of the template")
	platforms := flag.String("platforms", "", "keep only these comma-separated OS/ARCH platforms, e.g. linux/amd64")
	serve := flag.Bool("serve", false, "serve -dist over HTTP on 127.0.0.1, print its URL and run until killed")
	flag.Parse()
	if *serve {
		if err := serveDir(*dist); err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
		return
	}
	if *tag == "" {
		fmt.Fprintln(os.Stderr, "error: -tag is required")
		os.Exit(1)
	}
	text, err := os.ReadFile(*templateFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	out, err := render(string(text), *tag, *downloadBase, func(name string) (string, error) {
		sum, err := fileSHA256(filepath.Join(*dist, name))
		if errors.Is(err, os.ErrNotExist) && *allowMissing {
			return missingSHA256, nil
		}
		return sum, err
	})
	if err == nil && *platforms != "" {
		out, err = keepPlatforms(out, strings.Split(*platforms, ","))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	_, _ = os.Stdout.Write(out)
}

// render executes the template as krew-release-bot does: the data has
// .TagName and .Version, and addURIAndSha(URL, TAG) renders URL with the tag
// and prints "uri: URL" and, on the next line at the 4-space indent the bot
// assumes, "sha256: SUM". sha256Of gives the sum of an asset by file name. A
// non-empty downloadBase replaces everything but the file name of each URL.
func render(text, tag, downloadBase string, sha256Of func(name string) (string, error)) ([]byte, error) {
	data := struct{ TagName, Version string }{tag, versionOf(tag)}
	funcs := template.FuncMap{
		"addURIAndSha": func(url, tag string) (string, error) {
			var u bytes.Buffer
			t, err := template.New("url").Parse(url)
			if err != nil {
				return "", err
			}
			if err := t.Execute(&u, struct{ TagName, Version string }{tag, versionOf(tag)}); err != nil {
				return "", err
			}
			name := path.Base(u.String())
			sum, err := sha256Of(name)
			if err != nil {
				return "", fmt.Errorf("sha256 of %s: %w (build the archives with: make dist)", u.String(), err)
			}
			uri := u.String()
			if downloadBase != "" {
				uri = strings.TrimSuffix(downloadBase, "/") + "/" + name
			}
			return fmt.Sprintf("uri: %s\n    sha256: %s", uri, sum), nil
		},
	}
	t, err := template.New(".krew.yaml").Funcs(funcs).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := t.Execute(&out, data); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// versionOf is the bot's .Version: the dotted number in the tag.
func versionOf(tag string) string {
	if v := regexp.MustCompile(`\d+(\.\d+)+`).FindString(tag); v != "" {
		return v
	}
	return tag
}

// fileSHA256 returns the lowercase hex sha256 of a file, as krew wants it.
func fileSHA256(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close() //nolint:errcheck // read-only: a failed close loses nothing
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return strings.ToLower(hex.EncodeToString(h.Sum(nil))), nil
}

// keepPlatforms drops the spec.platforms entries whose selector's os/arch
// labels are not in keep (each "os/arch").
func keepPlatforms(manifest []byte, keep []string) ([]byte, error) {
	var m map[string]any
	if err := yaml.Unmarshal(manifest, &m); err != nil {
		return nil, err
	}
	spec, _ := m["spec"].(map[string]any)
	all, _ := spec["platforms"].([]any)
	var kept []any
	for _, p := range all {
		labels, _ := p.(map[string]any)["selector"].(map[string]any)["matchLabels"].(map[string]any)
		if slices.Contains(keep, fmt.Sprintf("%v/%v", labels["os"], labels["arch"])) {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("no platform of the manifest matches %v", keep)
	}
	spec["platforms"] = kept
	return yaml.Marshal(m)
}

// serveDir serves dir on a free port of 127.0.0.1, printing its URL first.
func serveDir(dir string) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("http://%s\n", l.Addr())
	return http.Serve(l, http.FileServer(http.Dir(dir)))
}
