package tago

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// IDs and secrets used by the resource tests.
const (
	resDeviceID    = "5f0c0a0b0c0d0e0f00112233"
	resDevice2ID   = "5f0c0a0b0c0d0e0f00112244"
	resNetworkID   = "60a1b2c3d4e5f60718293a4b"
	resConnectorID = "60a1b2c3d4e5f60718293a4c"
	resDashboardID = "61aa00bb11cc22dd33ee44ff"
	resWidgetID    = "61aa00bb11cc22dd33ee4500"
	resParamID     = "62bb00cc11dd22ee33ff4401"
	resProfileID   = "63cc00dd11ee22ff33004402"
	resAnalysisID  = "64dd00ee11ff220033114403"
	resDataID      = "65ee00ff1100223344225504"
	resToken       = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	resToken2      = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
	resAuthKey     = "at0123456789abcdef0123456789abcdef"
	resDevEUI      = "70B3D57ED0041234"
)

// opCase is one service operation checked end to end against the mock transport: the
// request it sends (method, escaped path, decoded query, token header, JSON body) and
// the result it decodes.
type opCase struct {
	name   string
	method string
	path   string // escaped, as sent
	status int    // HTTP status of the answer; 0 means 200
	result string // the envelope's "result" JSON
	query  string // decoded query, "" for none
	body   string // JSON body, "" for none
	run    func(ctx context.Context, c *Client) (any, error)
	want   any
}

// runOps runs each case with a fresh client holding tok, expecting the token in header.
func runOps(t *testing.T, tok Token, header string, cases []opCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, tok)
			status := tc.status
			if status == 0 {
				status = http.StatusOK
			}
			got := expect(mt, tc.method, tc.path, status, `{"status":true,"result":`+tc.result+`}`)
			out, err := tc.run(t.Context(), c)
			require.NoError(t, err)
			assert.Equal(t, tc.want, out)
			require.Equal(t, 1, mt.GetTotalCallCount())
			req := got.last(t)
			assert.Equal(t, tc.method, req.Method)
			assert.Equal(t, tc.path, req.Path)
			assert.Equal(t, tc.query, req.Query)
			assert.Equal(t, tok.value, req.Header.Get(header))
			if tc.body == "" {
				assert.Empty(t, req.Body)
			} else {
				assert.JSONEq(t, tc.body, string(req.Body))
			}
		})
	}
}

// accountOps runs cases with an account token, sent in Account-Token.
func accountOps(t *testing.T, cases []opCase) {
	t.Helper()
	runOps(t, AccountToken(testAccountToken), "Account-Token", cases)
}

// noResult adapts an error-only operation to opCase.run.
func noResult(err error) (any, error) { return nil, err }

// mustTime parses an RFC 3339 time for expectations.
func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return tm
}

func TestDevicesOperations(t *testing.T) {
	t.Parallel()
	lastInput := mustTime(t, "2024-05-06T07:08:09.123Z")
	accountOps(t, []opCase{
		{
			name: "list with defaults", method: "GET", path: "/device",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=name&fields[2]=tags&orderBy=name,asc",
			result: `[{"id":"` + resDeviceID + `","name":"Boiler","tags":[{"key":"site","value":"north"}]}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Devices.List(ctx, nil) },
			want:   []Device{{ID: resDeviceID, Name: "Boiler", Tags: []Tag{{Key: "site", Value: "north"}}}},
		},
		{
			name: "list with every filter", method: "GET", path: "/device",
			query: "page=2&amount=50&fields[0]=id&fields[1]=name&fields[2]=last_input&filter[name]=*test*" +
				"&filter[tags][0][key]=site&filter[tags][0][value]=north&filter[active]=true&filter[visible]=false" +
				"&filter[type]=immutable&filter[network]=" + resNetworkID + "&filter[connector]=" + resConnectorID +
				"&orderBy=last_input,desc&serial=" + resDevEUI + "&resolveConnectorName=true",
			result: `[{"id":"` + resDeviceID + `","name":"test 1","last_input":"2024-05-06T07:08:09.123Z"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Devices.List(ctx, &DeviceListOptions{
					ListOptions: ListOptions{Page: 2, Amount: 50, Fields: []string{"id", "name", "last_input"}, OrderBy: Desc("last_input")},
					Name:        "*test*", Tags: []Tag{{Key: "site", Value: "north"}}, Active: Ptr(true), Visible: Ptr(false),
					Type: DeviceImmutable, Network: resNetworkID, Connector: resConnectorID, Serial: resDevEUI, ResolveConnectorName: true,
				})
			},
			want: []Device{{ID: resDeviceID, Name: "test 1", LastInput: lastInput}},
		},
		{
			name: "list resolving bucket and connector names", method: "GET", path: "/device",
			query: "page=1&amount=20&fields[0]=id&fields[1]=name&fields[2]=connector&fields[3]=bucket_name&orderBy=name,asc" +
				"&resolveBucketName=true&resolveConnectorName=true",
			result: `[{"id":"` + resDeviceID + `","name":"Boiler","connector":"Custom HTTPs","bucket_name":"Boiler"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Devices.List(ctx, &DeviceListOptions{ListOptions: ListOptions{Fields: []string{"id", "name", "connector", "bucket_name"}},
					ResolveBucketName: true, ResolveConnectorName: true})
			},
			want: []Device{{ID: resDeviceID, Name: "Boiler", Connector: "Custom HTTPs", BucketName: "Boiler"}},
		},
		{
			name: "create a device on a server without networks", method: "POST", path: "/device", status: http.StatusCreated,
			body:   `{"name":"Core sensor","type":"immutable","chunk_period":"day","chunk_retention":3}`,
			result: `{"device_id":"` + resDeviceID + `","token":"` + resToken + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Devices.Create(ctx, DeviceCreateRequest{Name: "Core sensor", Type: DeviceImmutable, ChunkPeriod: ChunkDay, ChunkRetention: Ptr(3)})
			},
			want: DeviceCreateResult{ID: resDeviceID, Token: resToken},
		},
		{
			name: "create with IDs the server defines", method: "POST", path: "/device", status: http.StatusCreated,
			body:   `{"name":"x","network":"local-net","connector":"custom","type":"mutable"}`,
			result: `{"device_id":"` + resDeviceID + `","token":"` + resToken + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Devices.Create(ctx, DeviceCreateRequest{Name: "x", Network: "local-net", Connector: "custom"})
			},
			want: DeviceCreateResult{ID: resDeviceID, Token: resToken},
		},
		{
			name: "edit the network with IDs the server defines", method: "PUT", path: "/device/" + resDeviceID,
			body: `{"network":"local-net","connector":"custom"}`, result: `"Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Devices.Edit(ctx, resDeviceID, DeviceEditRequest{Network: Ptr("local-net"), Connector: Ptr("custom")}))
			},
		},
		{
			name: "create a LoRaWAN device", method: "POST", path: "/device", status: http.StatusCreated,
			body: `{"name":"Field sensor","network":"` + resNetworkID + `","connector":"` + resConnectorID + `","type":"mutable",` +
				`"serie_number":"` + resDevEUI + `","active":true,"tags":[{"key":"site","value":"north"}]}`,
			result: `{"device_id":"` + resDeviceID + `","bucket_id":"` + resDeviceID + `","token":"` + resToken + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Devices.Create(ctx, DeviceCreateRequest{Name: "Field sensor", Network: resNetworkID, Connector: resConnectorID,
					SerieNumber: resDevEUI, Active: Ptr(true), Tags: []Tag{{Key: "site", Value: "north"}}})
			},
			want: DeviceCreateResult{ID: resDeviceID, Token: resToken},
		},
		{
			name: "create an immutable device", method: "POST", path: "/device", status: http.StatusCreated,
			body: `{"name":"Meter","network":"` + resNetworkID + `","connector":"` + resConnectorID + `","type":"immutable",` +
				`"chunk_period":"month","chunk_retention":0,"description":"hall","visible":false,"connector_parse":true,` +
				`"parse_function":"Ly8gbm8gb3A=","configuration_params":[{"key":"interval","value":"60","sent":false}]}`,
			result: `{"deviceID":"` + resDeviceID + `","token":"` + resToken + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Devices.Create(ctx, DeviceCreateRequest{Name: "Meter", Network: resNetworkID, Connector: resConnectorID,
					Type: DeviceImmutable, ChunkPeriod: ChunkMonth, ChunkRetention: Ptr(0), Description: Ptr("hall"),
					Visible: Ptr(false), ConnectorParse: Ptr(true), ParseFunction: "Ly8gbm8gb3A=",
					ConfigurationParams: []ConfigParam{{Key: "interval", Value: "60"}}})
			},
			want: DeviceCreateResult{ID: resDeviceID, Token: resToken},
		},
		{
			name: "create a hybrid device", method: "POST", path: "/device", status: http.StatusCreated,
			body: `{"name":"Hybrid","network":"` + resNetworkID + `","connector":"` + resConnectorID + `","type":"hybrid",` +
				`"chunk_period":"week","chunk_retention":4,"mutable_variable_regex":"^setpoint"}`,
			result: `{"device":"` + resDeviceID + `","token":"` + resToken + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Devices.Create(ctx, DeviceCreateRequest{Name: "Hybrid", Network: resNetworkID, Connector: resConnectorID,
					Type: DeviceHybrid, ChunkPeriod: ChunkWeek, ChunkRetention: Ptr(4), MutableVariableRegex: "^setpoint"})
			},
			want: DeviceCreateResult{ID: resDeviceID, Token: resToken},
		},
		{
			name: "info", method: "GET", path: "/device/" + resDeviceID,
			result: `{"id":"` + resDeviceID + `","name":"Boiler","type":"mutable","active":true,"serie_number":"` + resDevEUI + `"}`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Devices.Info(ctx, resDeviceID) },
			want:   Device{ID: resDeviceID, Name: "Boiler", Type: DeviceMutable, Active: true, SerieNumber: resDevEUI},
		},
		{
			name: "edit", method: "PUT", path: "/device/" + resDeviceID,
			body:   `{"name":"Boiler 2","active":false,"tags":[],"network":"` + resNetworkID + `","connector":"` + resConnectorID + `","chunk_retention":6}`,
			result: `"Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Devices.Edit(ctx, resDeviceID, DeviceEditRequest{Name: Ptr("Boiler 2"), Active: Ptr(false),
					Tags: []Tag{}, Network: Ptr(resNetworkID), Connector: Ptr(resConnectorID), ChunkRetention: Ptr(6)}))
			},
		},
		{
			name: "delete", method: "DELETE", path: "/device/" + resDeviceID, result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Devices.Delete(ctx, resDeviceID)) },
		},
		{
			name: "data amount", method: "GET", path: "/device/" + resDeviceID + "/data_amount", result: `48213`,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Devices.DataAmount(ctx, resDeviceID) },
			want: int64(48213),
		},
		{
			name: "data amount as a float", method: "GET", path: "/device/" + resDeviceID + "/data_amount", result: `7.0`,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Devices.DataAmount(ctx, resDeviceID) },
			want: int64(7),
		},
		{
			name: "empty data", method: "POST", path: "/device/" + resDeviceID + "/empty", result: `"Data Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Devices.EmptyData(ctx, resDeviceID))
			},
		},
		{
			name: "params", method: "GET", path: "/device/" + resDeviceID + "/params", query: "sent_status=false",
			result: `[{"id":"` + resParamID + `","key":"downlink","value":"0100","sent":false}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Devices.Params(ctx, resDeviceID, ParamsUnread)
			},
			want: []ConfigParam{{ID: resParamID, Key: "downlink", Value: "0100"}},
		},
		{
			name: "set params", method: "POST", path: "/device/" + resDeviceID + "/params", status: http.StatusCreated,
			body:   `[{"id":"` + resParamID + `","key":"downlink","value":"0101","sent":false},{"key":"port","value":"2","sent":true}]`,
			result: `"Params Successfully Updated"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Devices.SetParams(ctx, resDeviceID,
					ConfigParam{ID: resParamID, Key: "downlink", Value: "0101"}, ConfigParam{Key: "port", Value: "2", Sent: true}))
			},
		},
		{
			name: "remove param", method: "DELETE", path: "/device/" + resDeviceID + "/params/" + resParamID, result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Devices.RemoveParam(ctx, resDeviceID, resParamID))
			},
		},
		{
			name: "chunks", method: "GET", path: "/device/" + resDeviceID + "/chunk",
			result: `[{"id":"1657497600_1658102399","from":"2022-07-11T00:00:00.000+00:00","to":"2022-07-17T23:59:59.999+00:00","amount":120},` +
				`{"id":"1658102400_1658707199","from":"2022-07-18","to":"2022-07-24 23:59:59","amount":null}]`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Devices.Chunks(ctx, resDeviceID) },
			want: []DeviceChunk{
				{ID: "1657497600_1658102399", From: time.Date(2022, 7, 11, 0, 0, 0, 0, time.UTC),
					To: time.Date(2022, 7, 17, 23, 59, 59, 999e6, time.UTC), Amount: Ptr(int64(120))},
				{ID: "1658102400_1658707199", From: time.Date(2022, 7, 18, 0, 0, 0, 0, time.UTC), To: time.Date(2022, 7, 24, 23, 59, 59, 0, time.UTC)},
			},
		},
		{
			name: "delete chunk", method: "DELETE", path: "/device/" + resDeviceID + "/chunk/1657497600_1658102399",
			result: `"Chunk 1657497600_1658102399 deleted"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Devices.DeleteChunk(ctx, resDeviceID, "1657497600_1658102399"))
			},
		},
	})
}

func TestDeviceCreateResultKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, json string
		want       DeviceCreateResult
	}{
		{"device_id", `{"device_id":"` + resDeviceID + `","bucket_id":"x","token":"` + resToken + `"}`, DeviceCreateResult{resDeviceID, resToken}},
		{"deviceID", `{"deviceID":"` + resDeviceID + `","token":"` + resToken + `"}`, DeviceCreateResult{resDeviceID, resToken}},
		{"device as ID", `{"device":"` + resDeviceID + `","token":"` + resToken + `"}`, DeviceCreateResult{resDeviceID, resToken}},
		{"device as object", `{"device":{"id":"` + resDeviceID + `","name":"x"},"token":"` + resToken + `"}`, DeviceCreateResult{resDeviceID, resToken}},
		{"id", `{"id":"` + resDeviceID + `","token":"` + resToken + `"}`, DeviceCreateResult{resDeviceID, resToken}},
		{"device_id wins", `{"id":"other","device_id":"` + resDeviceID + `"}`, DeviceCreateResult{ID: resDeviceID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got DeviceCreateResult
			require.NoError(t, json.Unmarshal([]byte(tt.json), &got))
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("no ID at all", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "POST", "/device", 201, `{"status":true,"result":{"token":"`+resToken+`"}}`)
		_, err := c.Devices.Create(t.Context(), DeviceCreateRequest{Name: "x", Network: resNetworkID, Connector: resConnectorID})
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Contains(t, apiErr.Message, "names no device ID")
		assert.NotContains(t, err.Error(), resToken)
	})
}

func TestListOptionsAreNotModified(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expect(mt, "GET", "/device", 200, `{"status":true,"result":[]}`)
	opts := &DeviceListOptions{Name: "x", Tags: []Tag{{Key: "k", Value: "v"}}}
	before := *opts
	_, err := c.Devices.List(t.Context(), opts)
	require.NoError(t, err)
	for range c.Devices.All(t.Context(), opts) {
		t.Fatal("an empty listing yields nothing")
	}
	assert.Equal(t, before, *opts)
	assert.Equal(t, 2, got.count())
	assert.Equal(t, "page=1&amount=20&fields[0]=id&fields[1]=name&fields[2]=tags&filter[name]=x&filter[tags][0][key]=k&filter[tags][0][value]=v&orderBy=name,asc", got.last(t).Query)
}

// pageOf returns a device listing result of n devices named from first on.
func pageOf(first, n int) string {
	items := make([]Device, n)
	for i := range items {
		items[i] = Device{ID: fmt.Sprintf("%024x", first+i), Name: fmt.Sprintf("d%d", first+i)}
	}
	b, _ := json.Marshal(items)
	return `{"status":true,"result":` + string(b) + `}`
}

func TestDevicesAllStopsWhenTheCallerBreaks(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "GET", "/device",
		reply(200, pageOf(0, 2)), reply(200, pageOf(2, 2)), reply(200, pageOf(4, 2)), reply(200, pageOf(6, 2)))
	var names []string
	for d, err := range c.Devices.All(t.Context(), &DeviceListOptions{ListOptions: ListOptions{Amount: 2}, Name: "d*"}) {
		require.NoError(t, err)
		names = append(names, d.Name)
		if len(names) == 5 {
			break
		}
	}
	assert.Equal(t, []string{"d0", "d1", "d2", "d3", "d4"}, names)
	reqs := got.all()
	require.Len(t, reqs, 3, "exactly the pages needed for 5 items")
	for i, r := range reqs {
		assert.Equal(t, fmt.Sprintf("page=%d&amount=2&fields[0]=id&fields[1]=name&fields[2]=tags&filter[name]=d*&orderBy=name,asc", i+1), r.Query)
	}
}

func TestDevicesAllStopsAfterAShortPage(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "GET", "/device", reply(200, pageOf(0, 3)), reply(200, pageOf(3, 3)), reply(200, pageOf(6, 1)))
	n := 0
	for _, err := range c.Devices.All(t.Context(), &DeviceListOptions{ListOptions: ListOptions{Page: 4, Amount: 3}}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 7, n)
	reqs := got.all()
	require.Len(t, reqs, 3)
	assert.Contains(t, reqs[0].Query, "page=4&amount=3&")
	assert.Contains(t, reqs[2].Query, "page=6&amount=3&")
}

func TestDevicesAllYieldsOneError(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken), WithRetryPolicy(NoRetries()))
	got := expectSeq(mt, "GET", "/device", reply(200, pageOf(0, 2)), reply(500, `{"status":false,"message":"boom"}`))
	var items, errs int
	for _, err := range c.Devices.All(t.Context(), &DeviceListOptions{ListOptions: ListOptions{Amount: 2}}) {
		if err != nil {
			errs++
			assert.ErrorIs(t, err, ErrServer)
			continue
		}
		items++
	}
	assert.Equal(t, 2, items)
	assert.Equal(t, 1, errs)
	assert.Equal(t, 2, got.count())
}

func TestEveryAllUsesTheSharedPager(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, query string
		item              string
		run               func(ctx context.Context, c *Client) (int, error)
	}{
		{"device tokens", "/device/token/" + resDeviceID, "page=2&amount=1&fields[0]=name&fields[1]=token&fields[2]=permission&orderBy=created_at,desc",
			`{"name":"a","token":"` + resToken + `"}`, func(ctx context.Context, c *Client) (int, error) {
				return countAll(c.Tokens.All(ctx, resDeviceID, &TokenListOptions{ListOptions: ListOptions{Amount: 1}}))
			}},
		{"profile tokens", "/profile/" + resProfileID + "/token", "page=2&amount=1&fields[0]=name&fields[1]=token&fields[2]=permission&orderBy=created_at,desc",
			`{"name":"a","token":"` + resToken + `"}`, func(ctx context.Context, c *Client) (int, error) {
				return countAll(c.Tokens.AllProfile(ctx, resProfileID, &TokenListOptions{ListOptions: ListOptions{Amount: 1}}))
			}},
		{"authorizations", "/serviceauth", "page=2&amount=1&fields[0]=name&fields[1]=token&fields[2]=permission&orderBy=created_at,desc",
			`{"name":"a","token":"` + resAuthKey + `"}`, func(ctx context.Context, c *Client) (int, error) {
				return countAll(c.Authorizations.All(ctx, &TokenListOptions{ListOptions: ListOptions{Amount: 1}}))
			}},
		{"dashboards", "/dashboard", "page=2&amount=1&fields[0]=id&fields[1]=label&orderBy=label,asc",
			`{"id":"` + resDashboardID + `"}`, func(ctx context.Context, c *Client) (int, error) {
				return countAll(c.Dashboards.All(ctx, &DashboardListOptions{ListOptions: ListOptions{Amount: 1}}))
			}},
		{"networks", "/integration/network/", "page=2&amount=1&fields[0]=id&fields[1]=name&orderBy=name,asc",
			`{"id":"` + resNetworkID + `"}`, func(ctx context.Context, c *Client) (int, error) {
				return countAll(c.Networks.All(ctx, &NetworkListOptions{ListOptions: ListOptions{Amount: 1}}))
			}},
		{"connectors", "/integration/connector/", "page=2&amount=1&fields[0]=id&fields[1]=name&orderBy=name,asc",
			`{"id":"` + resConnectorID + `"}`, func(ctx context.Context, c *Client) (int, error) {
				return countAll(c.Networks.AllConnectors(ctx, &ConnectorListOptions{ListOptions: ListOptions{Amount: 1}}))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
			got := expectSeq(mt, "GET", tt.path, reply(200, `{"status":true,"result":[`+tt.item+`]}`), reply(200, `{"status":true,"result":[]}`))
			n, err := tt.run(t.Context(), c)
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			require.Equal(t, 2, got.count(), "a full page, then an empty one")
			assert.Equal(t, tt.query, got.last(t).Query)
		})
	}
}

// countAll ranges over seq and counts its items, stopping at the first error.
func countAll[T any](seq func(yield func(T, error) bool)) (int, error) {
	n := 0
	for _, err := range seq {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// badInputCase is an operation that must fail locally, before any request.
type badInputCase struct {
	name  string
	field string
	run   func(ctx context.Context, c *Client) error
}

// runBadInput checks that every case fails with an *InputError naming field and that
// nothing reached the transport.
func runBadInput(t *testing.T, tok Token, cases []badInputCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, tok)
			mt.RegisterNoResponder(httpmock.NewStringResponder(200, `{"status":true,"result":[]}`))
			err := tc.run(t.Context(), c)
			require.ErrorIs(t, err, ErrInvalidInput)
			var in *InputError
			require.ErrorAs(t, err, &in)
			assert.Equal(t, tc.field, in.Field)
			assert.Equal(t, 0, mt.GetTotalCallCount())
		})
	}
}

// firstErr ranges over seq and returns its first error.
func firstErr[T any](seq func(yield func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

func TestDevicesBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	ok := DeviceCreateRequest{Name: "x", Network: resNetworkID, Connector: resConnectorID}
	with := func(f func(r *DeviceCreateRequest)) DeviceCreateRequest { r := ok; f(&r); return r }
	create := func(r DeviceCreateRequest) func(ctx context.Context, c *Client) error {
		return func(ctx context.Context, c *Client) error { _, err := c.Devices.Create(ctx, r); return err }
	}
	runBadInput(t, AccountToken(testAccountToken), []badInputCase{
		{"info with a short ID", "device ID", func(ctx context.Context, c *Client) error { _, err := c.Devices.Info(ctx, "abc"); return err }},
		{"info with a non-hex ID", "device ID", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.Info(ctx, "5f0c0a0b0c0d0e0f0011223z")
			return err
		}},
		{"info with a path in the ID", "device ID", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.Info(ctx, "../../../account/x/y/z")
			return err
		}},
		{"list with a negative page", "page", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.List(ctx, &DeviceListOptions{ListOptions: ListOptions{Page: -1}})
			return err
		}},
		{"list with a negative amount", "amount", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.List(ctx, &DeviceListOptions{ListOptions: ListOptions{Amount: -5}})
			return err
		}},
		{"list with an empty field", "fields[1]", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.List(ctx, &DeviceListOptions{ListOptions: ListOptions{Fields: []string{"id", " "}}})
			return err
		}},
		{"list with a descending order and no field", "order by", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.List(ctx, &DeviceListOptions{ListOptions: ListOptions{OrderBy: Order{Descending: true}}})
			return err
		}},
		{"list with two order fields", "order by", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.List(ctx, &DeviceListOptions{ListOptions: ListOptions{OrderBy: Asc("name,desc")}})
			return err
		}},
		{"list with a bad network", "network", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.List(ctx, &DeviceListOptions{Network: "x"})
			return err
		}},
		{"list with a bad connector", "connector", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.List(ctx, &DeviceListOptions{Connector: "x"})
			return err
		}},
		{"list with a keyless tag", "tags[0].key", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.List(ctx, &DeviceListOptions{Tags: []Tag{{Key: " ", Value: "v"}}})
			return err
		}},
		{"list with a bad type", "type", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.List(ctx, &DeviceListOptions{Type: "solid"})
			return err
		}},
		{"all with a negative amount", "amount", func(ctx context.Context, c *Client) error {
			return firstErr(c.Devices.All(ctx, &DeviceListOptions{ListOptions: ListOptions{Amount: -1}}))
		}},
		{"all with a bad network", "network", func(ctx context.Context, c *Client) error {
			return firstErr(c.Devices.All(ctx, &DeviceListOptions{Network: "nope"}))
		}},
		{"create without a name", "name", create(with(func(r *DeviceCreateRequest) { r.Name = "  " }))},
		{"create with a bad type", "type", create(with(func(r *DeviceCreateRequest) { r.Type = "solid" }))},
		{"create immutable without a period", "chunk period", create(with(func(r *DeviceCreateRequest) {
			r.Type, r.ChunkRetention = DeviceImmutable, Ptr(1)
		}))},
		{"create immutable without a retention", "chunk retention", create(with(func(r *DeviceCreateRequest) {
			r.Type, r.ChunkPeriod = DeviceImmutable, ChunkDay
		}))},
		{"create with a bad period", "chunk period", create(with(func(r *DeviceCreateRequest) {
			r.Type, r.ChunkPeriod, r.ChunkRetention = DeviceImmutable, "year", Ptr(1)
		}))},
		{"create with a retention over 36", "chunk retention", create(with(func(r *DeviceCreateRequest) {
			r.Type, r.ChunkPeriod, r.ChunkRetention = DeviceImmutable, ChunkDay, Ptr(37)
		}))},
		{"create hybrid without a regex", "mutable variable regex", create(with(func(r *DeviceCreateRequest) {
			r.Type, r.ChunkPeriod, r.ChunkRetention = DeviceHybrid, ChunkDay, Ptr(1)
		}))},
		{"create with a keyless tag", "tags[0].key", create(with(func(r *DeviceCreateRequest) { r.Tags = []Tag{{Value: "v"}} }))},
		{"create with a keyless param", "configuration params[0].key", create(with(func(r *DeviceCreateRequest) {
			r.ConfigurationParams = []ConfigParam{{Value: "v"}}
		}))},
		{"edit with a bad ID", "device ID", func(ctx context.Context, c *Client) error {
			return c.Devices.Edit(ctx, "x", DeviceEditRequest{Name: Ptr("n")})
		}},
		{"edit with nothing to change", "device edit", func(ctx context.Context, c *Client) error {
			return c.Devices.Edit(ctx, resDeviceID, DeviceEditRequest{})
		}},
		{"edit with an empty name", "name", func(ctx context.Context, c *Client) error {
			return c.Devices.Edit(ctx, resDeviceID, DeviceEditRequest{Name: Ptr("")})
		}},
		{"edit with a bad retention", "chunk retention", func(ctx context.Context, c *Client) error {
			return c.Devices.Edit(ctx, resDeviceID, DeviceEditRequest{ChunkRetention: Ptr(-1)})
		}},
		{"delete with a bad ID", "device ID", func(ctx context.Context, c *Client) error { return c.Devices.Delete(ctx, "") }},
		{"data amount with a bad ID", "device ID", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.DataAmount(ctx, "x")
			return err
		}},
		{"empty data with a bad ID", "device ID", func(ctx context.Context, c *Client) error { return c.Devices.EmptyData(ctx, "x") }},
		{"set no params", "params", func(ctx context.Context, c *Client) error { return c.Devices.SetParams(ctx, resDeviceID) }},
		{"set a param with a bad ID", "params[0].id", func(ctx context.Context, c *Client) error {
			return c.Devices.SetParams(ctx, resDeviceID, ConfigParam{ID: "x", Key: "k"})
		}},
		{"remove a param with a bad ID", "param ID", func(ctx context.Context, c *Client) error {
			return c.Devices.RemoveParam(ctx, resDeviceID, "x")
		}},
		{"chunks with a bad ID", "device ID", func(ctx context.Context, c *Client) error {
			_, err := c.Devices.Chunks(ctx, "x")
			return err
		}},
		{"delete an empty chunk ID", "chunk ID", func(ctx context.Context, c *Client) error {
			return c.Devices.DeleteChunk(ctx, resDeviceID, "")
		}},
	})
}

func TestResourcesNeedTheRightTokenKind(t *testing.T) {
	t.Parallel()
	account := []func(ctx context.Context, c *Client) error{
		func(ctx context.Context, c *Client) error { _, err := c.Devices.List(ctx, nil); return err },
		func(ctx context.Context, c *Client) error { return firstErr(c.Devices.All(ctx, nil)) },
		func(ctx context.Context, c *Client) error {
			_, err := c.Devices.Create(ctx, DeviceCreateRequest{Name: "x", Network: resNetworkID, Connector: resConnectorID})
			return err
		},
		func(ctx context.Context, c *Client) error { return c.Devices.Delete(ctx, resDeviceID) },
		func(ctx context.Context, c *Client) error { return c.Devices.EmptyData(ctx, resDeviceID) },
		func(ctx context.Context, c *Client) error { _, err := c.Tokens.List(ctx, resDeviceID, nil); return err },
		func(ctx context.Context, c *Client) error { return c.Tokens.Delete(ctx, resToken) },
		func(ctx context.Context, c *Client) error { _, err := c.Authorizations.List(ctx, nil); return err },
		func(ctx context.Context, c *Client) error {
			_, err := c.Authorizations.Create(ctx, AuthorizationCreateRequest{Name: "x"})
			return err
		},
		func(ctx context.Context, c *Client) error {
			_, err := c.Dashboards.Info(ctx, resDashboardID)
			return err
		},
		func(ctx context.Context, c *Client) error {
			return c.Dashboards.DeleteWidgetData(ctx, resDashboardID, resWidgetID, WidgetDataRef{resDataID, resDeviceID})
		},
		func(ctx context.Context, c *Client) error { _, err := c.Networks.Info(ctx, resNetworkID); return err },
		func(ctx context.Context, c *Client) error { return c.Networks.DeleteToken(ctx, resToken) },
	}
	network := []func(ctx context.Context, c *Client) error{
		func(ctx context.Context, c *Client) error {
			_, err := c.Networks.ResolveToken(ctx, resDevEUI, resAuthKey)
			return err
		},
		func(ctx context.Context, c *Client) error { _, err := c.Networks.Current(ctx); return err },
	}
	for _, tok := range []Token{DeviceToken(testDeviceToken), NetworkToken(testNetworkToken)} {
		for i, run := range account {
			t.Run(fmt.Sprintf("account op %d with a %s token", i, tok.Kind()), func(t *testing.T) {
				t.Parallel()
				c, mt, _ := newTestClient(t, tok)
				require.ErrorIs(t, run(t.Context(), c), ErrTokenKind)
				assert.Equal(t, 0, mt.GetTotalCallCount())
			})
		}
	}
	for _, tok := range []Token{AccountToken(testAccountToken), DeviceToken(testDeviceToken)} {
		for i, run := range network {
			t.Run(fmt.Sprintf("network op %d with a %s token", i, tok.Kind()), func(t *testing.T) {
				t.Parallel()
				c, mt, _ := newTestClient(t, tok)
				err := run(t.Context(), c)
				require.ErrorIs(t, err, ErrTokenKind)
				assert.NotContains(t, err.Error(), resAuthKey)
				assert.Equal(t, 0, mt.GetTotalCallCount())
			})
		}
	}
}

func TestResourceServicesOnAZeroClientDoNotPanic(t *testing.T) {
	t.Parallel()
	var zero Client
	_, err := zero.Devices.List(t.Context(), nil)
	assert.ErrorIs(t, err, errNilClient)
	assert.ErrorIs(t, firstErr(zero.Devices.All(t.Context(), nil)), errNilClient)
	_, err = zero.Tokens.FindByName(t.Context(), resDeviceID, "x")
	assert.ErrorIs(t, err, errNilClient)
	assert.ErrorIs(t, firstErr(zero.Authorizations.All(t.Context(), nil)), errNilClient)
	_, err = zero.Networks.ResolveToken(t.Context(), resDevEUI, "")
	assert.ErrorIs(t, err, errNilClient)
	_, err = zero.Dashboards.WidgetData(t.Context(), resDashboardID, resWidgetID, nil)
	assert.ErrorIs(t, err, errNilClient)

	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	//lint:ignore SA1012 a nil context is the bad input under test
	err = firstErr(c.Devices.All(nil, nil)) //nolint:staticcheck
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, 0, mt.GetTotalCallCount())
}

func TestDevicesClientFor(t *testing.T) {
	t.Parallel()
	const (
		expired  = "e0000000-0000-4000-8000-000000000001"
		readOnly = "e0000000-0000-4000-8000-000000000002"
		writer   = "e0000000-0000-4000-8000-000000000003"
	)
	listQuery := "page=1&amount=100&fields[0]=name&fields[1]=token&fields[2]=permission&fields[3]=serie_number" +
		"&fields[4]=last_authorization&fields[5]=expire_time&fields[6]=created_at&orderBy=created_at,desc"
	tests := []struct {
		name   string
		tokens string
		plain  bool
		want   string // the token the client carries; "" for ErrNotFound
	}{
		{"the newest that may write and has not expired",
			`[{"name":"old","token":"` + expired + `","permission":"full","expire_time":"2001-01-01T00:00:00.000Z"},` +
				`{"name":"ro","token":"` + readOnly + `","permission":"read","expire_time":"never"},` +
				`{"name":"rw","token":"` + writer + `","permission":"write","expire_time":"2999-01-01T00:00:00.000Z"}]`, false, writer},
		{"a read-only token when no other is left",
			`[{"name":"old","token":"` + expired + `","permission":"write","expire_time":"2001-01-01T00:00:00.000Z"},` +
				`{"name":"ro","token":"` + readOnly + `","permission":"read","expire_time":"never"}]`, true, readOnly},
		{"no usable token",
			`[{"name":"old","token":"` + expired + `","permission":"full","expire_time":"2001-01-01T00:00:00.000Z"}]`, false, ""},
		{"no token at all", `[]`, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if tt.plain {
				opts = append(opts, WithAuthHeader(AuthHeaderToken))
			}
			c, mt, _ := newTestClient(t, AccountToken(testAccountToken), opts...)
			list := expect(mt, "GET", "/device/token/"+resDeviceID, 200, `{"status":true,"result":`+tt.tokens+`}`)
			sent := expect(mt, "POST", "/data", 200, `{"status":true,"result":"1 Data Added"}`)

			dc, err := c.Devices.ClientFor(t.Context(), resDeviceID)
			r := list.last(t)
			assert.Equal(t, listQuery, r.Query)
			if tt.plain {
				assert.Equal(t, testAccountToken, r.Header.Get("Token"))
			} else {
				assert.Equal(t, testAccountToken, r.Header.Get("Account-Token"))
			}
			if tt.want == "" {
				require.ErrorIs(t, err, ErrNotFound)
				assert.Nil(t, dc)
				assert.NotContains(t, err.Error(), expired)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, KindDevice, dc.TokenKind())
			assert.Equal(t, c.BaseURL(), dc.BaseURL())
			assert.Equal(t, KindAccount, c.TokenKind(), "the account client is left as it was")
			assert.NotContains(t, fmt.Sprint(dc), tt.want)

			n, err := dc.Data.Send(t.Context(), Data{Variable: "temperature", Value: 21})
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			got := sent.last(t)
			if tt.plain {
				assert.Equal(t, tt.want, got.Header.Get("Token"), "WithAuthHeader is kept")
				assert.Empty(t, got.Header.Get("Device-Token"))
			} else {
				assert.Equal(t, tt.want, got.Header.Get("Device-Token"))
				assert.Empty(t, got.Header.Get("Token"))
			}
			assert.Empty(t, got.Header.Get("Account-Token"))
			assert.Equal(t, r.Header.Get("User-Agent"), got.Header.Get("User-Agent"))
		})
	}
}

func TestDevicesClientForFailures(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	_, err := c.Devices.ClientFor(t.Context(), "not an id")
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Zero(t, mt.GetTotalCallCount())

	d, mt, _ := newTestClient(t, DeviceToken(testDeviceToken))
	_, err = d.Devices.ClientFor(t.Context(), resDeviceID)
	require.ErrorIs(t, err, ErrTokenKind)
	assert.Zero(t, mt.GetTotalCallCount())

	var zero Client
	_, err = zero.Devices.ClientFor(t.Context(), resDeviceID)
	assert.ErrorIs(t, err, errNilClient)

	c, mt, _ = newTestClient(t, AccountToken(testAccountToken))
	expect(mt, "GET", "/device/token/"+resDeviceID, 404, `{"status":false,"message":"Device not found"}`)
	_, err = c.Devices.ClientFor(t.Context(), resDeviceID)
	require.ErrorIs(t, err, ErrNotFound)
}
