package actility

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"net/http"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-tago/tago"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sentinel is the secret planted in every secret field.
const sentinel = "at5ecret5ecret5ecret5ecret5ecret99"

// secretTypes makes a value of every exported type of the package with its secrets set
// to sentinel: the Secret fields (filled by reflection) and the secrets only a
// constructor sets or a type's maps hold. Interfaces have no value of their own.
var secretTypes = map[string]func(t testing.TB) any{
	"Uplink":      func(testing.TB) any { return Uplink{DevEUI: "0018B20000000BEE", FPort: ip(1)} },
	"Lrr":         func(testing.TB) any { return Lrr{Lrrid: "A"} },
	"Downlink":    func(testing.TB) any { return Downlink{DevEUI: "0018B20000000BEE", PayloadHex: "00"} },
	"Message":     nil,
	"KindError":   func(testing.TB) any { return &KindError{Kind: "DevEUI_notification"} },
	"DeliveryLog": nil,
	"LocationMessage": func(testing.TB) any {
		return LocationMessage{DeviceEUI: "20635f039100011e", RawPosition: &RawPosition{BeaconIDData: []Beacon{{BeaconID: "b"}}}}
	},
	"RawPosition": func(testing.TB) any { return RawPosition{FloorNumber: ip(1)} },
	"Beacon":      func(testing.TB) any { return Beacon{BeaconID: "b"} },
	"ConnectionRequest": func(testing.TB) any {
		return ConnectionRequest{Name: "n", Configuration: map[string]json.RawMessage{
			"downlinkAsKey": raw(`"` + sentinel + `"`), "destinationURL": raw(`"https://x.example/uplink?authorization=` + sentinel + `"`)},
			Extra: map[string]json.RawMessage{"apiToken": raw(`"` + sentinel + `"`)}}
	},
	"Connection": func(testing.TB) any {
		return Connection{ID: "1", Configuration: map[string]json.RawMessage{"downlinkAsKey": raw(`"` + sentinel + `"`)},
			Extra: map[string]json.RawMessage{"password": raw(`"` + sentinel + `"`)}}
	},
	"ThingParkClient": func(t testing.TB) any {
		c, err := NewThingParkClient("https://tp.example.com/api", sentinel, nil)
		require.NoError(t, err)
		return c
	},
	"ThingParkError": func(testing.TB) any {
		return &ThingParkError{Method: "POST", Path: "/connections", Err: redact(errors.New("echo "+sentinel), sentinel)}
	},
	"DownlinkRequest": func(testing.TB) any { return DownlinkRequest{Payload: "00", Port: 1, HTTPClient: &http.Client{}} },
	"DownlinkError": func(testing.TB) any {
		return &DownlinkError{StatusCode: 400, Body: redactAll("bad "+sentinel, sentinel)}
	},
	"BridgeConfig": func(testing.TB) any {
		return BridgeConfig{HTTPClient: &http.Client{}, ClientOptions: []tago.Option{tago.WithRegion(tago.RegionUSE1)},
			Deliveries: NewMemoryLog(DeliveryLogConfig{})}
	},
	"Bridge": func(t testing.TB) any {
		b, err := NewBridge(BridgeConfig{NetworkToken: sentinel,
			DownlinkURL: "https://community.thingpark.io/iot-flow/downlinkMessages/" + sentinel})
		require.NoError(t, err)
		return b
	},
	"DeliveryState":       func(testing.TB) any { return DeliveryStored },
	"DeliveryLogConfig":   func(testing.TB) any { return DeliveryLogConfig{} },
	"DeliveryFileOptions": func(testing.TB) any { return DeliveryFileOptions{} },
	"MemoryLog": func(testing.TB) any {
		l := NewMemoryLog(DeliveryLogConfig{})
		_ = l.Record(sentinel, DeliveryStored, time.Now())
		return l
	},
	"DeliveryFile": func(t testing.TB) any {
		f, err := OpenDeliveryFile(t.(*testing.T).TempDir()+"/d", DeliveryFileOptions{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = f.Close() })
		require.NoError(t, f.Record(sentinel, DeliveryStored, time.Now()))
		return f
	},
}

// exportedTypes lists the exported types declared in the package's source files.
func exportedTypes(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var out []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				if ts := s.(*ast.TypeSpec); ts.Name.IsExported() {
					out = append(out, ts.Name.Name)
				}
			}
		}
	}
	return out
}

// plant sets every settable tago.Secret reachable from v (struct fields, pointers,
// slices) to sentinel and reports how many it set.
func plant(v reflect.Value) int {
	n := 0
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			n += plant(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n += plant(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			n += plant(v.Index(i))
		}
	default:
		if v.Type() == reflect.TypeFor[tago.Secret]() && v.CanSet() {
			v.SetString(sentinel)
			n++
		}
	}
	return n
}

// leakForms are the ways a secret can show in output: as it is, escaped, in
// hexadecimal, or as the decimal bytes fmt prints a []byte with.
func leakForms() []string {
	dec := make([]string, len(sentinel))
	for i := range len(sentinel) {
		dec[i] = strconv.Itoa(int(sentinel[i]))
	}
	return []string{sentinel, hex.EncodeToString([]byte(sentinel)), strings.ToUpper(hex.EncodeToString([]byte(sentinel))),
		strings.Join(dec, " "), strings.Join(dec, ", "), sentinel[8:24]}
}

// TestNoSecretInFmtOrSlog: no exported type of the package shows a token, an
// authorization key, an AppSKey or an AS key with any fmt verb or through slog's text
// and JSON handlers, as a value, a pointer, inside a struct, a slice or a map.
func TestNoSecretInFmtOrSlog(t *testing.T) {
	t.Parallel()
	names := exportedTypes(t)
	require.NotEmpty(t, names)
	for _, name := range names {
		mk, ok := secretTypes[name]
		require.True(t, ok, "exported type %s is missing from secretTypes: add it", name)
		if mk == nil {
			continue
		}
		t.Run(name, func(t *testing.T) {
			v := mk(t)
			// A value of a struct type gets its Secret fields planted.
			rv := reflect.New(reflect.TypeOf(v)).Elem()
			rv.Set(reflect.ValueOf(v))
			plant(rv)
			v = rv.Interface()

			type holder struct {
				Name  string
				Value any
			}
			forms := map[string]any{
				"value": v, "in a struct": holder{"h", v}, "in a slice": []any{v}, "in a map": map[string]any{"k": v},
			}
			if rv.Kind() != reflect.Pointer {
				p := reflect.New(rv.Type())
				p.Elem().Set(rv)
				forms["pointer"] = p.Interface()
			}
			for form, x := range forms {
				var out bytes.Buffer
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X"} {
					fmt.Fprintf(&out, verb+"\n", x)
				}
				fmt.Fprintln(&out, x)
				for _, h := range []slog.Handler{slog.NewTextHandler(&out, nil), slog.NewJSONHandler(&out, nil)} {
					slog.New(h).Info("m", "v", x)
					slog.New(h).Info("m", slog.Any("v", x), slog.Group("g", slog.Any("v", x)))
				}
				for _, leak := range leakForms() {
					require.NotContains(t, out.String(), leak, "%s %s:\n%s", name, form, out.String())
				}
			}
		})
	}
}

// TestSecretsStillSent: the forms meant for the wire carry the real secrets.
func TestSecretsStillSent(t *testing.T) {
	t.Parallel()
	u := Uplink{DevEUI: "0018B20000000BEE", AppSKey: sentinel}
	msg, err := u.Message()
	require.NoError(t, err)
	assert.Contains(t, string(msg), `"AppSKey":"`+sentinel+`"`)
	b, err := json.Marshal(u)
	require.NoError(t, err)
	assert.NotContains(t, string(b), sentinel)
	back, err := ParseUplink(msg)
	require.NoError(t, err)
	assert.Equal(t, sentinel, back.AppSKey.Reveal())

	d := Downlink{DevEUI: "0018B20000000BEE", PayloadHex: "00", ASKey: sentinel}
	msg, err = d.Message()
	require.NoError(t, err)
	assert.Contains(t, string(msg), `"AS_KEY":"`+sentinel+`"`)

	r := ConnectionRequest{Name: "n", AuthorizationKey: sentinel}
	body, err := r.body()
	require.NoError(t, err)
	assert.Contains(t, string(body), "authorization="+sentinel)
	logged, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"n","connectorId":"actility-http-iot","brand":"TAGO",
		"configuration":{"destinationURL":"https://actility.middleware.tago.io/uplink?authorization=%2A%2A%2A%2Aet99"}}`, string(logged))
}
