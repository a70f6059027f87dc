package tago

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	resEntityID  = "6add0011223344556677ee06"
	resEntity2ID = "6add0011223344556677ee07"
)

func TestEntitiesOperations(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 11, 5, 18, 32, 25, 522_000_000, time.UTC)
	accountOps(t, []opCase{
		{
			name: "list with defaults", method: "GET", path: "/entity",
			query:  "page=1&amount=20&fields[0]=id&fields[1]=profile&fields[2]=name&fields[3]=tags&orderBy=name,asc",
			result: `[{"id":"` + resEntityID + `","profile":"` + resProfileID + `","name":"Sites","tags":[{"key":"kind","value":"site"}]}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Entities.List(ctx, nil) },
			want:   []Entity{{ID: resEntityID, Profile: resProfileID, Name: "Sites", Tags: []Tag{{Key: "kind", Value: "site"}}}},
		},
		{
			name: "list by name and tags", method: "GET", path: "/entity",
			query: "page=2&amount=5&fields[0]=id&fields[1]=created_at&filter[name]=Site*" +
				"&filter[tags][0][key]=kind&filter[tags][0][value]=site&orderBy=created_at,desc",
			result: `[{"id":"` + resEntityID + `","created_at":"2024-11-05T18:32:25.522Z"}]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Entities.List(ctx, &EntityListOptions{Name: "Site*", Tags: []Tag{{Key: "kind", Value: "site"}},
					ListOptions: ListOptions{Page: 2, Amount: 5, Fields: []string{"id", "created_at"}, OrderBy: Desc("created_at")}})
			},
			want: []Entity{{ID: resEntityID, CreatedAt: at}},
		},
		{
			name: "create with a schema and indexes", method: "POST", path: "/entity",
			body: `{"name":"Control Entity","schema":{"charge_amount":{"type":"int","required":false},` +
				`"update_date":{"type":"timestamp","required":true}},"index":{"index_charge_amount":{"fields":["charge_amount"]}},` +
				`"tags":[{"key":"active","value":"yes"}]}`,
			result: `{"id":"` + resEntityID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Entities.Create(ctx, EntityCreateRequest{Name: "Control Entity",
					Schema: map[string]EntityField{"charge_amount": {Type: EntityInt}, "update_date": {Type: EntityTimestamp, Required: true}},
					Index:  map[string]EntityIndex{"index_charge_amount": {Fields: []string{"charge_amount"}}},
					Tags:   []Tag{{Key: "active", Value: "yes"}}})
			},
			want: resEntityID,
		},
		{
			name: "create with a decoder and an index on created_at", method: "POST", path: "/entity",
			body:   `{"name":"Log","index":{"by_time":{"fields":["created_at"]}},"payload_decoder":"Y29uc29sZS5sb2coMSk="}`,
			result: `{"id":"` + resEntityID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Entities.Create(ctx, EntityCreateRequest{Name: "Log", PayloadDecoder: Ptr("Y29uc29sZS5sb2coMSk="),
					Index: map[string]EntityIndex{"by_time": {Fields: []string{"created_at"}}}})
			},
			want: resEntityID,
		},
		{
			name: "info", method: "GET", path: "/entity/" + resEntityID,
			result: `{"created_at":"2024-11-05T18:32:25.522Z","database":"6229032d0620c89169acbdc0","id":"` + resEntityID + `",` +
				`"index":{"id_idx":{"fields":["id"]},"index_charge_amount":{"fields":["charge_amount"]}},"name":"Control Entity",` +
				`"payload_decoder":null,"profile":"` + resProfileID + `","schema":{"charge_amount":{"required":false,"type":"int"},` +
				`"id":{"required":true,"type":"uuid"}},"tags":[{"key":"active","value":"yes"}],"updated_at":"2024-11-05T18:32:25.522Z"}`,
			run: func(ctx context.Context, c *Client) (any, error) { return c.Entities.Info(ctx, resEntityID) },
			want: Entity{ID: resEntityID, Name: "Control Entity", Profile: resProfileID, Database: "6229032d0620c89169acbdc0",
				Schema: map[string]EntityField{"charge_amount": {Type: EntityInt}, "id": {Type: EntityUUID, Required: true}},
				Index:  map[string]EntityIndex{"id_idx": {Fields: []string{"id"}}, "index_charge_amount": {Fields: []string{"charge_amount"}}},
				Tags:   []Tag{{Key: "active", Value: "yes"}}, CreatedAt: at, UpdatedAt: at},
		},
		{
			name: "edit name and tags", method: "PUT", path: "/entity/" + resEntityID,
			body: `{"name":"Updated Entity","tags":[{"key":"active","value":"no"}]}`, result: `{"message":"Entity Successfully Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.Edit(ctx, resEntityID, EntityEditRequest{Name: Ptr("Updated Entity"), Tags: []Tag{{Key: "active", Value: "no"}}}))
			},
		},
		{
			name: "edit removing every tag", method: "PUT", path: "/entity/" + resEntityID,
			body: `{"tags":[]}`, result: `{"message":"Entity Successfully Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.Edit(ctx, resEntityID, EntityEditRequest{Tags: []Tag{}}))
			},
		},
		{
			name: "edit removing the decoder", method: "PUT", path: "/entity/" + resEntityID,
			body: `{"payload_decoder":null}`, result: `{"message":"Entity Successfully Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.Edit(ctx, resEntityID, EntityEditRequest{PayloadDecoder: Ptr("")}))
			},
		},
		{
			name: "edit the decoder", method: "PUT", path: "/entity/" + resEntityID,
			body: `{"payload_decoder":"eA=="}`, result: `{"message":"Entity Successfully Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.Edit(ctx, resEntityID, EntityEditRequest{PayloadDecoder: Ptr("eA==")}))
			},
		},
		{
			name: "delete", method: "DELETE", path: "/entity/" + resEntityID, result: `"Entity Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.Delete(ctx, resEntityID))
			},
		},
		{
			name: "amount", method: "GET", path: "/entity/" + resEntityID + "/data_amount", result: `100`,
			run:  func(ctx context.Context, c *Client) (any, error) { return c.Entities.Amount(ctx, resEntityID) },
			want: int64(100),
		},
		{
			name: "empty", method: "POST", path: "/entity/" + resEntityID + "/empty", result: `"Data Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Entities.Empty(ctx, resEntityID)) },
		},
		{
			name: "edit schema and index at once", method: "PUT", path: "/entity/" + resEntityID + "/schema",
			body: `{"schema":{"unit":{"action":"create","type":"string","required":false},"old":{"action":"delete"}},` +
				`"index":{"temp_idx":{"action":"create","fields":["temperature","unit"]},"gone_idx":{"action":"delete"}}}`,
			result: `{"message":"Entity Successfully Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.EditSchema(ctx, resEntityID, EntitySchemaEdit{
					Fields: map[string]EntityFieldChange{
						"unit": {Action: EntityCreate, Type: EntityString, Required: Ptr(false)},
						"old":  {Action: EntityDelete},
					},
					Indexes: map[string]EntityIndexChange{
						"temp_idx": {Action: EntityCreate, Fields: []string{"temperature", "unit"}},
						"gone_idx": {Action: EntityDelete},
					},
				}))
			},
		},
		{
			name: "add a field", method: "PUT", path: "/entity/" + resEntityID + "/schema",
			body:   `{"schema":{"temperature":{"action":"create","type":"float","required":true}}}`,
			result: `{"message":"Entity Successfully Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.AddField(ctx, resEntityID, "temperature", EntityField{Type: EntityFloat, Required: true}))
			},
		},
		{
			name: "add an optional field", method: "PUT", path: "/entity/" + resEntityID + "/schema",
			body:   `{"schema":{"note":{"action":"create","type":"text","required":false}}}`,
			result: `{"message":"Entity Successfully Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.AddField(ctx, resEntityID, "note", EntityField{Type: EntityText}))
			},
		},
		{
			name: "rename a field", method: "PUT", path: "/entity/" + resEntityID + "/schema",
			body:   `{"schema":{"old_name":{"action":"rename","new_name":"new_name"}}}`,
			result: `{"message":"Entity Successfully Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.RenameField(ctx, resEntityID, "old_name", "new_name"))
			},
		},
		{
			name: "update a field", method: "PUT", path: "/entity/" + resEntityID + "/schema",
			body:   `{"schema":{"temperature":{"action":"update","required":false}}}`,
			result: `{"message":"Entity Successfully Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.UpdateField(ctx, resEntityID, "temperature", false))
			},
		},
		{
			name: "delete a field", method: "PUT", path: "/entity/" + resEntityID + "/schema",
			body:   `{"schema":{"update_new_date":{"action":"delete"}}}`,
			result: `{"message":"Entity Successfully Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.DeleteField(ctx, resEntityID, "update_new_date"))
			},
		},
		{
			name: "add an index", method: "PUT", path: "/entity/" + resEntityID + "/schema",
			body:   `{"index":{"site_time":{"action":"create","fields":["site","reading_time"]}}}`,
			result: `{"message":"Entity Successfully Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.AddIndex(ctx, resEntityID, "site_time", "site", "reading_time"))
			},
		},
		{
			name: "delete an index", method: "PUT", path: "/entity/" + resEntityID + "/schema",
			body:   `{"index":{"temp_idx":{"action":"delete"}}}`,
			result: `{"message":"Entity Successfully Updated"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Entities.DeleteIndex(ctx, resEntityID, "temp_idx"))
			},
		},
	})
}

func TestEntitiesAll(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "GET", "/entity",
		reply(200, `{"status":true,"result":[{"id":"`+resEntityID+`","name":"A"},{"id":"`+resEntity2ID+`","name":"B"}]}`),
		reply(200, `{"status":true,"result":[]}`))
	var names []string
	for e, err := range c.Entities.All(t.Context(), &EntityListOptions{ListOptions: ListOptions{Amount: 2}}) {
		require.NoError(t, err)
		names = append(names, e.Name)
	}
	assert.Equal(t, []string{"A", "B"}, names)
	reqs := got.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "page=1&amount=2&fields[0]=id&fields[1]=profile&fields[2]=name&fields[3]=tags&orderBy=name,asc", reqs[0].Query)
	assert.Equal(t, "page=2&amount=2&fields[0]=id&fields[1]=profile&fields[2]=name&fields[3]=tags&orderBy=name,asc", reqs[1].Query)
}

// An entity's create, edit and delete answers of every documented shape decode, and
// their refusals map to the sentinels; a transport failure is wrapped.
func TestEntitiesErrors(t *testing.T) {
	t.Parallel()
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "GET", "/entity/"+resEntityID, 404, `{"status":false,"message":"Entity not found"}`)
		_, err := c.Entities.Info(t.Context(), resEntityID)
		require.ErrorIs(t, err, ErrNotFound)
		assert.EqualError(t, err, "tago: GET /entity/"+resEntityID+": 404 Entity not found")
	})
	t.Run("field errors", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "PUT", "/entity/"+resEntityID+"/schema", 400,
			`{"status":false,"message":"Error on Body parameters","field_errors":{"schema.temperature":["already exists"]}}`)
		err := c.Entities.AddField(t.Context(), resEntityID, "temperature", EntityField{Type: EntityFloat})
		require.ErrorIs(t, err, ErrBadRequest)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, map[string][]string{"schema.temperature": {"already exists"}}, apiErr.FieldErrors)
	})
	t.Run("create without an ID", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		expect(mt, "POST", "/entity", 200, `{"status":true,"result":{}}`)
		_, err := c.Entities.Create(t.Context(), EntityCreateRequest{Name: "X"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), `names no "id" ID`)
	})
	t.Run("transport", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
		boom := errors.New("connection refused")
		got := expectSeq(mt, "POST", "/entity/"+resEntityID+"/empty", fail(boom))
		err := c.Entities.Empty(t.Context(), resEntityID)
		require.ErrorIs(t, err, boom)
		var reqErr *RequestError
		require.ErrorAs(t, err, &reqErr)
		assert.Equal(t, 1, got.count(), "emptying is a POST: never repeated once it may have been seen")
	})
}

func TestEntitiesBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	ctx := t.Context()
	create := func(r EntityCreateRequest) error { _, err := c.Entities.Create(ctx, r); return err }
	schema := func(e EntitySchemaEdit) error { return c.Entities.EditSchema(ctx, resEntityID, e) }
	for _, tc := range []struct {
		err   error
		field string
	}{
		{func() error { _, err := c.Entities.Info(ctx, "nope"); return err }(), "entity ID"},
		{c.Entities.Delete(ctx, ""), "entity ID"},
		{func() error { _, err := c.Entities.Amount(ctx, "x"); return err }(), "entity ID"},
		{c.Entities.Empty(ctx, "x"), "entity ID"},
		{func() error { _, err := c.Entities.List(ctx, &EntityListOptions{Tags: []Tag{{}}}); return err }(), "tags[0].key"},
		{func() error {
			_, err := c.Entities.List(ctx, &EntityListOptions{ListOptions: ListOptions{Amount: -1}})
			return err
		}(), "amount"},
		{create(EntityCreateRequest{Name: " "}), "name"},
		{create(EntityCreateRequest{Name: "E", Schema: map[string]EntityField{"t": {}}}), "schema[t].type"},
		{create(EntityCreateRequest{Name: "E", Schema: map[string]EntityField{"t": {Type: "decimal"}}}), "schema[t].type"},
		{create(EntityCreateRequest{Name: "E", Schema: map[string]EntityField{"id": {Type: EntityString}}}), "schema[id]"},
		{create(EntityCreateRequest{Name: "E", Schema: map[string]EntityField{"": {Type: EntityString}}}), "schema"},
		{create(EntityCreateRequest{Name: "E", Index: map[string]EntityIndex{"i": {}}}), "index[i].fields"},
		{create(EntityCreateRequest{Name: "E", Index: map[string]EntityIndex{"i": {Fields: []string{"a", "b", "c", "d", "e", "f"}}},
			Schema: map[string]EntityField{"a": {Type: EntityInt}}}), "index[i].fields"},
		{create(EntityCreateRequest{Name: "E", Index: map[string]EntityIndex{"i": {Fields: []string{"nope"}}}}), "index[i].fields[0]"},
		{create(EntityCreateRequest{Name: "E", Schema: map[string]EntityField{"a": {Type: EntityInt}},
			Index: map[string]EntityIndex{"i": {Fields: []string{"a", "a"}}}}), "index[i].fields[1]"},
		{create(EntityCreateRequest{Name: "E", Index: map[string]EntityIndex{"": {Fields: []string{"id"}}}}), "index"},
		{create(EntityCreateRequest{Name: "E", Tags: []Tag{{}}}), "tags[0].key"},
		{c.Entities.Edit(ctx, resEntityID, EntityEditRequest{Name: Ptr("")}), "name"},
		{c.Entities.Edit(ctx, resEntityID, EntityEditRequest{Tags: []Tag{{Value: "v"}}}), "tags[0].key"},
		{c.Entities.Edit(ctx, "x", EntityEditRequest{}), "entity ID"},
		{schema(EntitySchemaEdit{}), "schema edit"},
		{schema(EntitySchemaEdit{Fields: map[string]EntityFieldChange{"a": {}}}), "fields[a].action"},
		{schema(EntitySchemaEdit{Fields: map[string]EntityFieldChange{"a": {Action: "drop"}}}), "fields[a].action"},
		{schema(EntitySchemaEdit{Fields: map[string]EntityFieldChange{"a": {Action: EntityCreate}}}), "fields[a].type"},
		{schema(EntitySchemaEdit{Fields: map[string]EntityFieldChange{"a": {Action: EntityCreate, Type: EntityInt, NewName: "b"}}}), "fields[a].new_name"},
		{schema(EntitySchemaEdit{Fields: map[string]EntityFieldChange{"a": {Action: EntityRename}}}), "fields[a].new_name"},
		{schema(EntitySchemaEdit{Fields: map[string]EntityFieldChange{"a": {Action: EntityRename, NewName: "a"}}}), "fields[a].new_name"},
		{schema(EntitySchemaEdit{Fields: map[string]EntityFieldChange{"a": {Action: EntityRename, NewName: "updated_at"}}}), "fields[a].new_name[updated_at]"},
		{schema(EntitySchemaEdit{Fields: map[string]EntityFieldChange{"a": {Action: EntityRename, NewName: "b", Required: Ptr(true)}}}), "fields[a].required"},
		{schema(EntitySchemaEdit{Fields: map[string]EntityFieldChange{"a": {Action: EntityUpdate}}}), "fields[a].required"},
		{schema(EntitySchemaEdit{Fields: map[string]EntityFieldChange{"a": {Action: EntityUpdate, Type: EntityText, Required: Ptr(true)}}}), "fields[a].type"},
		{schema(EntitySchemaEdit{Fields: map[string]EntityFieldChange{"a": {Action: EntityDelete, Type: EntityText}}}), "fields[a].type"},
		{schema(EntitySchemaEdit{Fields: map[string]EntityFieldChange{"created_at": {Action: EntityDelete}}}), "fields[created_at]"},
		{schema(EntitySchemaEdit{Indexes: map[string]EntityIndexChange{"i": {}}}), "indexes[i].action"},
		{schema(EntitySchemaEdit{Indexes: map[string]EntityIndexChange{"i": {Action: EntityRename}}}), "indexes[i].action"},
		{schema(EntitySchemaEdit{Indexes: map[string]EntityIndexChange{"i": {Action: EntityCreate}}}), "indexes[i].fields"},
		{schema(EntitySchemaEdit{Indexes: map[string]EntityIndexChange{"i": {Action: EntityCreate, Fields: []string{""}}}}), "indexes[i].fields[0]"},
		{schema(EntitySchemaEdit{Indexes: map[string]EntityIndexChange{"i": {Action: EntityDelete, Fields: []string{"a"}}}}), "indexes[i].fields"},
		{c.Entities.AddField(ctx, resEntityID, "a", EntityField{}), "fields[a].type"},
		{c.Entities.RenameField(ctx, resEntityID, "a", ""), "fields[a].new_name"},
		{c.Entities.UpdateField(ctx, resEntityID, "id", true), "fields[id]"},
		{c.Entities.DeleteField(ctx, "x", "a"), "entity ID"},
		{c.Entities.AddIndex(ctx, resEntityID, "i"), "indexes[i].fields"},
		{c.Entities.DeleteIndex(ctx, resEntityID, ""), "indexes"},
	} {
		require.ErrorIs(t, tc.err, ErrInvalidInput)
		var in *InputError
		require.ErrorAs(t, tc.err, &in)
		assert.Equal(t, tc.field, in.Field, "%v", tc.err)
	}
	assert.Zero(t, mt.GetTotalCallCount())
}

// Every entity operation needs an account token: another kind fails before any request.
func TestEntitiesNeedAnAccountToken(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, DeviceToken(testDeviceToken))
	_, err := c.Entities.GetData(t.Context(), resEntityID, nil)
	require.ErrorIs(t, err, ErrTokenKind)
	_, err = c.Entities.SendData(t.Context(), resEntityID, EntityRow{"a": 1})
	require.ErrorIs(t, err, ErrTokenKind)
	require.ErrorIs(t, c.Entities.Empty(t.Context(), resEntityID), ErrTokenKind)
	assert.Zero(t, mt.GetTotalCallCount())
}
