package tago_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/actility"
	"github.com/go-tago/tago/analysis"
	"github.com/go-tago/tago/spool"
	"github.com/go-tago/tago/tagotest"
)

// modulePath is the import path of the module this test walks.
const modulePath = "github.com/go-tago/tago"

// secretTypes lists every exported type of every importable package of the module.
// TestNoSecretInFmtOrSlog fails when the module's source declares an exported type
// missing here, so a type added later is checked too: add it.
var secretTypes = []reflect.Type{
	// package tago
	reflect.TypeFor[tago.AccessAction](),
	reflect.TypeFor[tago.AccessCreateRequest](),
	reflect.TypeFor[tago.AccessEditRequest](),
	reflect.TypeFor[tago.AccessListOptions](),
	reflect.TypeFor[tago.AccessMatch](),
	reflect.TypeFor[tago.AccessPermission](),
	reflect.TypeFor[tago.AccessPolicy](),
	reflect.TypeFor[tago.AccessService](),
	reflect.TypeFor[tago.Account](),
	reflect.TypeFor[tago.AccountCreateRequest](),
	reflect.TypeFor[tago.AccountEditRequest](),
	reflect.TypeFor[tago.AccountOptions](),
	reflect.TypeFor[tago.AccountOptionsEdit](),
	reflect.TypeFor[tago.AccountOTP](),
	reflect.TypeFor[tago.AccountService](),
	reflect.TypeFor[tago.AccountTokenRequest](),
	reflect.TypeFor[tago.Action](),
	reflect.TypeFor[tago.ActionCreateRequest](),
	reflect.TypeFor[tago.ActionEditRequest](),
	reflect.TypeFor[tago.ActionListOptions](),
	reflect.TypeFor[tago.ActionsService](),
	reflect.TypeFor[tago.ActionTask](),
	reflect.TypeFor[tago.ActionTrigger](),
	reflect.TypeFor[tago.ActionType](),
	reflect.TypeFor[tago.AddOn](),
	reflect.TypeFor[tago.Allocation](),
	reflect.TypeFor[tago.AnalysesService](),
	reflect.TypeFor[tago.Analysis](),
	reflect.TypeFor[tago.AnalysisCreateRequest](),
	reflect.TypeFor[tago.AnalysisCreateResult](),
	reflect.TypeFor[tago.AnalysisEditRequest](),
	reflect.TypeFor[tago.AnalysisListOptions](),
	reflect.TypeFor[tago.AnalysisRef](),
	reflect.TypeFor[tago.AnalysisRunResult](),
	reflect.TypeFor[tago.AnalysisTokenInfo](),
	reflect.TypeFor[tago.AnalysisTrigger](),
	reflect.TypeFor[tago.AnalysisVariable](),
	reflect.TypeFor[tago.AnalysisVersion](),
	reflect.TypeFor[tago.APIError](),
	reflect.TypeFor[tago.APIStatus](),
	reflect.TypeFor[tago.Arrangement](),
	reflect.TypeFor[tago.AttachmentUploadRequest](),
	reflect.TypeFor[tago.AuditEvent](),
	reflect.TypeFor[tago.AuditLog](),
	reflect.TypeFor[tago.AuditLogFilter](),
	reflect.TypeFor[tago.AuditStatistics](),
	reflect.TypeFor[tago.AuthHeader](),
	reflect.TypeFor[tago.Authorization](),
	reflect.TypeFor[tago.AuthorizationCreateRequest](),
	reflect.TypeFor[tago.AuthorizationEditRequest](),
	reflect.TypeFor[tago.AuthorizationInfo](),
	reflect.TypeFor[tago.AuthorizationsService](),
	reflect.TypeFor[tago.AWSCredentials](),
	reflect.TypeFor[tago.BackupCredentials](),
	reflect.TypeFor[tago.BackupDownload](),
	reflect.TypeFor[tago.BackupStatus](),
	reflect.TypeFor[tago.BatchError](),
	reflect.TypeFor[tago.BillingInformation](),
	reflect.TypeFor[tago.BillingInformationEditRequest](),
	reflect.TypeFor[tago.BillingService](),
	reflect.TypeFor[tago.BlueprintDevice](),
	reflect.TypeFor[tago.Channel](),
	reflect.TypeFor[tago.ChunkPeriod](),
	reflect.TypeFor[tago.Client](),
	reflect.TypeFor[tago.Condition](),
	reflect.TypeFor[tago.ConfigParam](),
	reflect.TypeFor[tago.Connector](),
	reflect.TypeFor[tago.ConnectorCreateRequest](),
	reflect.TypeFor[tago.ConnectorEditRequest](),
	reflect.TypeFor[tago.ConnectorListOptions](),
	reflect.TypeFor[tago.ConsoleLine](),
	reflect.TypeFor[tago.ContentVariable](),
	reflect.TypeFor[tago.Coupon](),
	reflect.TypeFor[tago.Credentials](),
	reflect.TypeFor[tago.CustomDomain](),
	reflect.TypeFor[tago.CustomDomainCreateRequest](),
	reflect.TypeFor[tago.Dashboard](),
	reflect.TypeFor[tago.DashboardCreateRequest](),
	reflect.TypeFor[tago.DashboardDuplicateRequest](),
	reflect.TypeFor[tago.DashboardEditRequest](),
	reflect.TypeFor[tago.DashboardIcon](),
	reflect.TypeFor[tago.DashboardListOptions](),
	reflect.TypeFor[tago.DashboardPublicKey](),
	reflect.TypeFor[tago.SMTPCredentials](),
	reflect.TypeFor[tago.SMTPEmailRequest](),
	reflect.TypeFor[tago.SendGridEmailRequest](),
	reflect.TypeFor[tago.TwilioAccount](),
	reflect.TypeFor[tago.TwilioSMSRequest](),
	reflect.TypeFor[tago.WhatsAppRequest](),
	reflect.TypeFor[tago.AWSCredentials](),
	reflect.TypeFor[tago.SQSRequest](),
	reflect.TypeFor[tago.AnalysisTrigger](),
	reflect.TypeFor[analysis.Trigger](),
	reflect.TypeFor[tago.DashboardsService](),
	reflect.TypeFor[tago.DashboardType](),
	reflect.TypeFor[tago.Data](),
	reflect.TypeFor[tago.DataBackup](),
	reflect.TypeFor[tago.DataBackupRequest](),
	reflect.TypeFor[tago.DataEdit](),
	reflect.TypeFor[tago.DataQuery](),
	reflect.TypeFor[tago.DataRestoreRequest](),
	reflect.TypeFor[tago.DataService](),
	reflect.TypeFor[tago.Device](),
	reflect.TypeFor[tago.DeviceChunk](),
	reflect.TypeFor[tago.DeviceConvertRequest](),
	reflect.TypeFor[tago.DeviceCreateRequest](),
	reflect.TypeFor[tago.DeviceCreateResult](),
	reflect.TypeFor[tago.DeviceEditRequest](),
	reflect.TypeFor[tago.DeviceListOptions](),
	reflect.TypeFor[tago.DeviceParameter](),
	reflect.TypeFor[tago.DeviceRPM](),
	reflect.TypeFor[tago.DevicesService](),
	reflect.TypeFor[tago.DeviceTokenCreateRequest](),
	reflect.TypeFor[tago.DeviceType](),
	reflect.TypeFor[tago.DictionariesService](),
	reflect.TypeFor[tago.Dictionary](),
	reflect.TypeFor[tago.DictionaryCreateRequest](),
	reflect.TypeFor[tago.DictionaryEditRequest](),
	reflect.TypeFor[tago.DictionaryLanguage](),
	reflect.TypeFor[tago.DictionaryListOptions](),
	reflect.TypeFor[tago.DNSRecord](),
	reflect.TypeFor[tago.Effect](),
	reflect.TypeFor[tago.EmailAttachment](),
	reflect.TypeFor[tago.EmailProvider](),
	reflect.TypeFor[tago.EmailRequest](),
	reflect.TypeFor[tago.EmailService](),
	reflect.TypeFor[tago.EmailServiceSecrets](),
	reflect.TypeFor[tago.EmailTemplate](),
	reflect.TypeFor[tago.Event](),
	reflect.TypeFor[tago.EntitiesService](),
	reflect.TypeFor[tago.Entity](),
	reflect.TypeFor[tago.EntityCreateRequest](),
	reflect.TypeFor[tago.EntityDataEdit](),
	reflect.TypeFor[tago.EntityDataQuery](),
	reflect.TypeFor[tago.EntityEditRequest](),
	reflect.TypeFor[tago.EntityField](),
	reflect.TypeFor[tago.EntityFieldChange](),
	reflect.TypeFor[tago.EntityFieldType](),
	reflect.TypeFor[tago.EntityFilter](),
	reflect.TypeFor[tago.EntityIndex](),
	reflect.TypeFor[tago.EntityIndexChange](),
	reflect.TypeFor[tago.EntityListOptions](),
	reflect.TypeFor[tago.EntityRecord](),
	reflect.TypeFor[tago.EntityRow](),
	reflect.TypeFor[tago.EntitySchemaAction](),
	reflect.TypeFor[tago.EntitySchemaEdit](),
	reflect.TypeFor[tago.Expiry](),
	reflect.TypeFor[tago.Expression](),
	reflect.TypeFor[tago.File](),
	reflect.TypeFor[tago.FileContent](),
	reflect.TypeFor[tago.FileEntry](),
	reflect.TypeFor[tago.FileList](),
	reflect.TypeFor[tago.FileListOptions](),
	reflect.TypeFor[tago.FilePermission](),
	reflect.TypeFor[tago.FilesService](),
	reflect.TypeFor[tago.FileTransfer](),
	reflect.TypeFor[tago.FileUploadError](),
	reflect.TypeFor[tago.FileUploadOptions](),
	reflect.TypeFor[tago.FileUploadProgress](),
	reflect.TypeFor[tago.FileUploadResult](),
	reflect.TypeFor[tago.GapError](),
	reflect.TypeFor[tago.Geofence](),
	reflect.TypeFor[tago.GeofenceSide](),
	reflect.TypeFor[tago.GeofenceTrigger](),
	reflect.TypeFor[tago.InfoOptions](),
	reflect.TypeFor[tago.InputError](),
	reflect.TypeFor[tago.InspectorEntry](),
	reflect.TypeFor[tago.Interval](),
	reflect.TypeFor[tago.IntervalTrigger](),
	reflect.TypeFor[tago.ListOptions](),
	reflect.TypeFor[tago.Location](),
	reflect.TypeFor[tago.LoginPINRequest](),
	reflect.TypeFor[tago.LoginRequest](),
	reflect.TypeFor[tago.LoginResult](),
	reflect.TypeFor[tago.MQTTPublishRequest](),
	reflect.TypeFor[tago.MQTTTopicTrigger](),
	reflect.TypeFor[tago.NamedPrice](),
	reflect.TypeFor[tago.Network](),
	reflect.TypeFor[tago.NetworkCreateRequest](),
	reflect.TypeFor[tago.NetworkDevice](),
	reflect.TypeFor[tago.NetworkDeviceListOptions](),
	reflect.TypeFor[tago.NetworkEditRequest](),
	reflect.TypeFor[tago.NetworkListOptions](),
	reflect.TypeFor[tago.NetworksService](),
	reflect.TypeFor[tago.NetworkTokenCreateRequest](),
	reflect.TypeFor[tago.Notification](),
	reflect.TypeFor[tago.NotificationButton](),
	reflect.TypeFor[tago.NotificationCreateRequest](),
	reflect.TypeFor[tago.NotificationEditRequest](),
	reflect.TypeFor[tago.NotificationIcon](),
	reflect.TypeFor[tago.NotificationListOptions](),
	reflect.TypeFor[tago.NotificationSendRequest](),
	reflect.TypeFor[tago.NotificationsService](),
	reflect.TypeFor[tago.NotifyAccount](),
	reflect.TypeFor[tago.NotifyRunUser](),
	reflect.TypeFor[tago.NullValue](),
	reflect.TypeFor[tago.Option](),
	reflect.TypeFor[tago.Order](),
	reflect.TypeFor[tago.Ordination](),
	reflect.TypeFor[tago.OTPMethods](),
	reflect.TypeFor[tago.OTPRequiredError](),
	reflect.TypeFor[tago.OTPType](),
	reflect.TypeFor[tago.PagingError](),
	reflect.TypeFor[tago.ParamFilter](),
	reflect.TypeFor[tago.PastDue](),
	reflect.TypeFor[tago.Payment](),
	reflect.TypeFor[tago.PaymentError](),
	reflect.TypeFor[tago.PaymentMethod](),
	reflect.TypeFor[tago.PDFMargin](),
	reflect.TypeFor[tago.PDFOptions](),
	reflect.TypeFor[tago.PDFRequest](),
	reflect.TypeFor[tago.Periodicity](),
	reflect.TypeFor[tago.Permission](),
	reflect.TypeFor[tago.Plan](),
	reflect.TypeFor[tago.PlanEditRequest](),
	reflect.TypeFor[tago.PostWebhook](),
	reflect.TypeFor[tago.Prices](),
	reflect.TypeFor[tago.Profile](),
	reflect.TypeFor[tago.ProfileAddOn](),
	reflect.TypeFor[tago.ProfileAddOnEditRequest](),
	reflect.TypeFor[tago.ProfileAddOns](),
	reflect.TypeFor[tago.ProfileAmounts](),
	reflect.TypeFor[tago.ProfileBackup](),
	reflect.TypeFor[tago.ProfileBackupCreated](),
	reflect.TypeFor[tago.ProfileBackupListOptions](),
	reflect.TypeFor[tago.ProfileBackupsService](),
	reflect.TypeFor[tago.ProfileCreateRequest](),
	reflect.TypeFor[tago.ProfileDeleteRequest](),
	reflect.TypeFor[tago.ProfileDetails](),
	reflect.TypeFor[tago.ProfileEditRequest](),
	reflect.TypeFor[tago.ProfileInfo](),
	reflect.TypeFor[tago.ProfileLimits](),
	reflect.TypeFor[tago.ProfileServicesRequest](),
	reflect.TypeFor[tago.ProfilesService](),
	reflect.TypeFor[tago.ProfileSummary](),
	reflect.TypeFor[tago.ProfileTokenCreateRequest](),
	reflect.TypeFor[tago.PublishMQTT](),
	reflect.TypeFor[tago.PushPlatform](),
	reflect.TypeFor[tago.QueryFunc](),
	reflect.TypeFor[tago.QueryKind](),
	reflect.TypeFor[tago.RawTask](),
	reflect.TypeFor[tago.RawTrigger](),
	reflect.TypeFor[tago.RealtimeService](),
	reflect.TypeFor[tago.Region](),
	reflect.TypeFor[tago.RelayMessage](),
	reflect.TypeFor[tago.RequestError](),
	reflect.TypeFor[tago.ResolveOptions](),
	reflect.TypeFor[tago.ResourceEvent](),
	reflect.TypeFor[tago.ResourceKind](),
	reflect.TypeFor[tago.ResourceTrigger](),
	reflect.TypeFor[tago.RetryPolicy](),
	reflect.TypeFor[tago.Run](),
	reflect.TypeFor[tago.RunAnalysis](),
	reflect.TypeFor[tago.RunEditRequest](),
	reflect.TypeFor[tago.RunEmailTemplate](),
	reflect.TypeFor[tago.RunOn](),
	reflect.TypeFor[tago.RunSAML](),
	reflect.TypeFor[tago.RunSAMLEditRequest](),
	reflect.TypeFor[tago.RunSecurity](),
	reflect.TypeFor[tago.RunService](),
	reflect.TypeFor[tago.RunSignupField](),
	reflect.TypeFor[tago.Runtime](),
	reflect.TypeFor[tago.RunUser](),
	reflect.TypeFor[tago.RunUserCreateRequest](),
	reflect.TypeFor[tago.RunUserEditRequest](),
	reflect.TypeFor[tago.RunUserInfo](),
	reflect.TypeFor[tago.RunUserListOptions](),
	reflect.TypeFor[tago.RunUserLoginRequest](),
	reflect.TypeFor[tago.RunUserOptions](),
	reflect.TypeFor[tago.RunUserSelfEditRequest](),
	reflect.TypeFor[tago.RunUserService](),
	reflect.TypeFor[tago.RunUserSession](),
	reflect.TypeFor[tago.RunUserSignupRequest](),
	reflect.TypeFor[tago.SAMLMapping](),
	reflect.TypeFor[tago.ScheduleTrigger](),
	reflect.TypeFor[tago.Script](),
	reflect.TypeFor[tago.ScriptLink](),
	reflect.TypeFor[tago.Secret](),
	reflect.TypeFor[tago.SecretCreateRequest](),
	reflect.TypeFor[tago.SecretEditRequest](),
	reflect.TypeFor[tago.SecretInfo](),
	reflect.TypeFor[tago.SecretListOptions](),
	reflect.TypeFor[tago.SecretsService](),
	reflect.TypeFor[tago.SendEmail](),
	reflect.TypeFor[tago.SendEmailSendGrid](),
	reflect.TypeFor[tago.SendEmailSMTP](),
	reflect.TypeFor[tago.SendGridEmailRequest](),
	reflect.TypeFor[tago.SendSMS](),
	reflect.TypeFor[tago.SendSMSTwilio](),
	reflect.TypeFor[tago.SendSQS](),
	reflect.TypeFor[tago.SendWhatsAppTwilio](),
	reflect.TypeFor[tago.SerialNumberFormat](),
	reflect.TypeFor[tago.Service](),
	reflect.TypeFor[tago.ServiceLimit](),
	reflect.TypeFor[tago.ServicePrice](),
	reflect.TypeFor[tago.ServicesService](),
	reflect.TypeFor[tago.SlowConsumerPolicy](),
	reflect.TypeFor[tago.SMSProvider](),
	reflect.TypeFor[tago.SMSRequest](),
	reflect.TypeFor[tago.SMSService](),
	reflect.TypeFor[tago.SMSServiceSecrets](),
	reflect.TypeFor[tago.SMTPCredentials](),
	reflect.TypeFor[tago.SMTPEmailRequest](),
	reflect.TypeFor[tago.Snippet](),
	reflect.TypeFor[tago.SnippetList](),
	reflect.TypeFor[tago.SQLColumn](),
	reflect.TypeFor[tago.SQLColumnType](),
	reflect.TypeFor[tago.SQLExecuteOptions](),
	reflect.TypeFor[tago.SQLFunction](),
	reflect.TypeFor[tago.SQLListOptions](),
	reflect.TypeFor[tago.SQLParam](),
	reflect.TypeFor[tago.SQLQuery](),
	reflect.TypeFor[tago.SQLQueryRequest](),
	reflect.TypeFor[tago.SQLResource](),
	reflect.TypeFor[tago.SQLResult](),
	reflect.TypeFor[tago.SQLService](),
	reflect.TypeFor[tago.SQLTable](),
	reflect.TypeFor[tago.SQLTables](),
	reflect.TypeFor[tago.SQLTablesOptions](),
	reflect.TypeFor[tago.SQLVersion](),
	reflect.TypeFor[tago.SQSRequest](),
	reflect.TypeFor[tago.StatisticsOptions](),
	reflect.TypeFor[tago.SubscribeOptions](),
	reflect.TypeFor[tago.Subscription](),
	reflect.TypeFor[tago.SubscriptionEditRequest](),
	reflect.TypeFor[tago.SubscriptionSchedule](),
	reflect.TypeFor[tago.SubscriptionSummary](),
	reflect.TypeFor[tago.Summary](),
	reflect.TypeFor[tago.Tag](),
	reflect.TypeFor[tago.TagoCore](),
	reflect.TypeFor[tago.TagoCoreEditRequest](),
	reflect.TypeFor[tago.TagoCoreListOptions](),
	reflect.TypeFor[tago.TagoCoreOS](),
	reflect.TypeFor[tago.TagoCoresService](),
	reflect.TypeFor[tago.TagoCoreSummary](),
	reflect.TypeFor[tago.TagoCoreUsage](),
	reflect.TypeFor[tago.TagResource](),
	reflect.TypeFor[tago.TagsService](),
	reflect.TypeFor[tago.TeamMember](),
	reflect.TypeFor[tago.Template](),
	reflect.TypeFor[tago.TemplateDevice](),
	reflect.TypeFor[tago.TemplateGenerateRequest](),
	reflect.TypeFor[tago.TemplateInstalled](),
	reflect.TypeFor[tago.TemplateInstallRequest](),
	reflect.TypeFor[tago.TemplatesService](),
	reflect.TypeFor[tago.TiPCommand](),
	reflect.TypeFor[tago.Token](),
	reflect.TypeFor[tago.TokenInfo](),
	reflect.TypeFor[tago.TokenKind](),
	reflect.TypeFor[tago.TokenListOptions](),
	reflect.TypeFor[tago.TokensService](),
	reflect.TypeFor[tago.Translator](),
	reflect.TypeFor[tago.TwilioAccount](),
	reflect.TypeFor[tago.TwilioSMSRequest](),
	reflect.TypeFor[tago.UsageAlertTrigger](),
	reflect.TypeFor[tago.UsageService](),
	reflect.TypeFor[tago.UsageStatistic](),
	reflect.TypeFor[tago.ValueKind](),
	reflect.TypeFor[tago.ValueType](),
	reflect.TypeFor[tago.VariableTrigger](),
	reflect.TypeFor[tago.WhatsAppRequest](),
	reflect.TypeFor[tago.Widget](),
	reflect.TypeFor[tago.WidgetCreateRequest](),
	reflect.TypeFor[tago.WidgetDataOptions](),
	reflect.TypeFor[tago.WidgetDataRef](),
	reflect.TypeFor[tago.WidgetDataResult](),
	reflect.TypeFor[tago.WidgetEditRequest](),
	reflect.TypeFor[tago.WidgetField](),
	reflect.TypeFor[tago.WidgetLocation](),
	reflect.TypeFor[tago.WidgetRecord](),
	reflect.TypeFor[tago.WidgetResource](),
	reflect.TypeFor[tago.WidgetResourceEdit](),
	reflect.TypeFor[tago.WidgetResourceOptions](),
	reflect.TypeFor[tago.WidgetSendOptions](),
	reflect.TypeFor[tago.WidgetSource](),

	// package analysis
	reflect.TypeFor[analysis.ConsoleOptions](),
	reflect.TypeFor[analysis.ConsoleStats](),
	reflect.TypeFor[analysis.Console](),
	reflect.TypeFor[analysis.Handler](),
	reflect.TypeFor[analysis.Matcher](),
	reflect.TypeFor[analysis.Mode](),
	reflect.TypeFor[analysis.Option](),
	reflect.TypeFor[analysis.Router](),
	reflect.TypeFor[analysis.Trigger](),

	// package actility
	reflect.TypeFor[actility.Beacon](),
	reflect.TypeFor[actility.Bridge](),
	reflect.TypeFor[actility.BridgeConfig](),
	reflect.TypeFor[actility.Connection](),
	reflect.TypeFor[actility.ConnectionRequest](),
	reflect.TypeFor[actility.DeliveryFile](),
	reflect.TypeFor[actility.DeliveryFileOptions](),
	reflect.TypeFor[actility.DeliveryLog](),
	reflect.TypeFor[actility.DeliveryLogConfig](),
	reflect.TypeFor[actility.DeliveryState](),
	reflect.TypeFor[actility.Downlink](),
	reflect.TypeFor[actility.DownlinkError](),
	reflect.TypeFor[actility.DownlinkRequest](),
	reflect.TypeFor[actility.KindError](),
	reflect.TypeFor[actility.LocationMessage](),
	reflect.TypeFor[actility.Lrr](),
	reflect.TypeFor[actility.MemoryLog](),
	reflect.TypeFor[actility.Message](),
	reflect.TypeFor[actility.RawPosition](),
	reflect.TypeFor[actility.ThingParkClient](),
	reflect.TypeFor[actility.ThingParkError](),
	reflect.TypeFor[actility.Uplink](),

	// package spool
	reflect.TypeFor[spool.DamageError](),
	reflect.TypeFor[spool.FullError](),
	reflect.TypeFor[spool.Memory](),
	reflect.TypeFor[spool.Options](),
	reflect.TypeFor[spool.Overflow](),
	reflect.TypeFor[spool.Queue](),
	reflect.TypeFor[spool.Route](),
	reflect.TypeFor[spool.SalvageReport](),
	reflect.TypeFor[spool.Spool](),
	reflect.TypeFor[spool.Stats](),
	reflect.TypeFor[spool.TargetStats](),
	reflect.TypeFor[spool.VersionError](),

	// package tagotest
	reflect.TypeFor[tagotest.ActionFiring](),
	reflect.TypeFor[tagotest.Analysis](),
	reflect.TypeFor[tagotest.AnalysisRun](),
	reflect.TypeFor[tagotest.AnalysisSpec](),
	reflect.TypeFor[tagotest.AnalysisVariable](),
	reflect.TypeFor[tagotest.Authorization](),
	reflect.TypeFor[tagotest.AuthorizationSpec](),
	reflect.TypeFor[tagotest.Connector](),
	reflect.TypeFor[tagotest.ConnectorSpec](),
	reflect.TypeFor[tagotest.Dashboard](),
	reflect.TypeFor[tagotest.DashboardSpec](),
	reflect.TypeFor[tagotest.Device](),
	reflect.TypeFor[tagotest.DeviceSpec](),
	reflect.TypeFor[tagotest.DeviceToken](),
	reflect.TypeFor[tagotest.EventFault](),
	reflect.TypeFor[tagotest.EventFaultHandle](),
	reflect.TypeFor[tagotest.Fault](),
	reflect.TypeFor[tagotest.FaultHandle](),
	reflect.TypeFor[tagotest.Location](),
	reflect.TypeFor[tagotest.Message](),
	reflect.TypeFor[tagotest.Network](),
	reflect.TypeFor[tagotest.NetworkSpec](),
	reflect.TypeFor[tagotest.Option](),
	reflect.TypeFor[tagotest.Param](),
	reflect.TypeFor[tagotest.PressedButton](),
	reflect.TypeFor[tagotest.Profile](),
	reflect.TypeFor[tagotest.PushDevice](),
	reflect.TypeFor[tagotest.Record](),
	reflect.TypeFor[tagotest.RelayMessage](),
	reflect.TypeFor[tagotest.Request](),
	reflect.TypeFor[tagotest.SentEmail](),
	reflect.TypeFor[tagotest.SentMessage](),
	reflect.TypeFor[tagotest.SentNotification](),
	reflect.TypeFor[tagotest.Server](),
	reflect.TypeFor[tagotest.ServiceCall](),
	reflect.TypeFor[tagotest.Tag](),
	reflect.TypeFor[tagotest.TagoCore](),
	reflect.TypeFor[tagotest.TokenSpec](),
	reflect.TypeFor[tagotest.Widget](),
	reflect.TypeFor[tagotest.WidgetData](),
	reflect.TypeFor[tagotest.WidgetSpec](),
}

// mustHoldSecrets are types the filler has to find secrets in; it guards the filler
// against silently skipping the fields the test is about.
var mustHoldSecrets = []reflect.Type{
	reflect.TypeFor[tago.Client](),
	reflect.TypeFor[tago.Token](),
	reflect.TypeFor[tago.Secret](),
	reflect.TypeFor[tago.TokenInfo](),
	reflect.TypeFor[tago.Authorization](),
	reflect.TypeFor[tago.DeviceTokenCreateRequest](),
	reflect.TypeFor[tago.AuthorizationCreateRequest](),
	reflect.TypeFor[tago.AuthorizationEditRequest](),
	reflect.TypeFor[tago.ProfileTokenCreateRequest](),
	reflect.TypeFor[tago.DeviceCreateResult](),
	reflect.TypeFor[tago.DashboardPublicKey](),
	reflect.TypeFor[actility.Bridge](),
	reflect.TypeFor[actility.BridgeConfig](),
	reflect.TypeFor[actility.Connection](),
	reflect.TypeFor[actility.ConnectionRequest](),
	reflect.TypeFor[actility.Downlink](),
	reflect.TypeFor[actility.ThingParkClient](),
	reflect.TypeFor[actility.Uplink](),
}

// fakeCredentialPackages hold string fields named like credentials that are the
// fake's own, in-process test tokens: tagotest returns them for tests to use and
// print. Fields of type Secret, Token or Client are checked there too.
var fakeCredentialPackages = []string{modulePath + "/tagotest"}

// TestNoSecretInFmtOrSlog checks that no fmt verb and neither slog handler reveals a
// token, authorization key, AppSKey or AS key held by any exported type of the module:
// each type is filled by reflection (secret fields exported or not, nested structs
// too), then printed as a value, through a pointer, inside a struct, a slice and a
// map.
func TestNoSecretInFmtOrSlog(t *testing.T) {
	t.Parallel()
	declared := exportedTypes(t)
	registered := map[string]bool{}
	for _, typ := range secretTypes {
		registered[typeName(typ)] = true
	}
	for _, name := range declared {
		assert.True(t, registered[name], "exported type %s is missing from secretTypes in secrets_test.go: add it", name)
	}
	for name := range registered {
		assert.Contains(t, declared, name, "secretTypes lists %s, which the module no longer declares", name)
	}

	mustHold := map[reflect.Type]bool{}
	for _, typ := range mustHoldSecrets {
		mustHold[typ] = true
	}
	for _, typ := range secretTypes {
		t.Run(typeName(typ), func(t *testing.T) {
			t.Parallel()
			f := &filler{t: t}
			v := reflect.New(typ).Elem()
			f.fill(v, typ.Name(), "", 0, slices.Contains(fakeCredentialPackages, typ.PkgPath()))
			if mustHold[typ] {
				require.NotEmpty(t, f.secrets, "the filler found no secret field in %s", typ)
			}
			if len(f.secrets) == 0 {
				return
			}
			for form, x := range printForms(v) {
				for _, out := range renderings(x) {
					if where := f.leaked(out.text); where != "" {
						t.Errorf("%s of %s (%s) reveals %s: %s", out.how, typ, form, where, out.text)
					}
					if strings.Contains(out.text, "PANIC=") {
						t.Errorf("%s of %s (%s) panics: %s", out.how, typ, form, out.text)
					}
				}
			}
		})
	}
}

// TestNoSecretInFmtOrSlogDetectsLeaks checks the checker: a plain string token, a
// Secret held in an unexported field, both would be caught.
func TestNoSecretInFmtOrSlogDetectsLeaks(t *testing.T) {
	t.Parallel()
	type leaky struct {
		Name  string
		Token string
	}
	f := &filler{t: t}
	v := reflect.New(reflect.TypeFor[leaky]()).Elem()
	f.fill(v, "leaky", "", 0, false)
	require.Len(t, f.secrets, 1)
	caught := map[string]bool{}
	for form, x := range printForms(v) {
		for _, out := range renderings(x) {
			if f.leaked(out.text) != "" {
				caught[form+" "+out.how] = true
			}
		}
	}
	// Every rendering of every form shows a plain string field.
	assert.Len(t, caught, len(printForms(v))*len(renderings(nil)), "caught: %v", caught)
	assert.NotEmpty(t, f.leaked(fmt.Sprintf("%x", f.secrets[0].value[3:15])), "a hex rendering of a part is caught")
}

// exportedTypes parses the module's non-test source and returns every exported type
// of every importable package as "import/path.Name". Commands (package main) cannot
// be imported, so their types are out of reach; they hold no exported types anyway.
func exportedTypes(t *testing.T) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); p != "." && err == nil {
				return filepath.SkipDir // another module (spool/jetspool), which this one cannot import
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if file.Name.Name == "main" {
			return nil
		}
		pkg := modulePath
		if dir := filepath.ToSlash(filepath.Dir(p)); dir != "." {
			pkg = path.Join(modulePath, dir)
		}
		for _, decl := range file.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, spec := range g.Specs {
				if ts := spec.(*ast.TypeSpec); ts.Name.IsExported() {
					names = append(names, pkg+"."+ts.Name.Name)
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, names)
	return names
}

// typeName is "import/path.Name", without a generic type's arguments.
func typeName(t reflect.Type) string {
	name, _, _ := strings.Cut(t.Name(), "[")
	return t.PkgPath() + "." + name
}

// filled is one secret the filler put into a value.
type filled struct{ where, value string }

// filler fills the secret fields of a value with distinct secrets and remembers them.
type filler struct {
	t       *testing.T
	secrets []filled
}

var (
	secretType = reflect.TypeFor[tago.Secret]()
	tokenType  = reflect.TypeFor[tago.Token]()
	clientType = reflect.TypeFor[tago.Client]()
	errorType  = reflect.TypeFor[error]()
)

// newSecret returns a fresh secret, 32 characters without repetitions a mask or
// another secret could share by chance.
func (f *filler) newSecret(where string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s#%d", where, len(f.secrets)))
	s := "k" + hex.EncodeToString(sum[:])[:31]
	f.secrets = append(f.secrets, filled{where, s})
	return s
}

// credentialName reports whether a string field's name says it holds a credential.
func credentialName(name string) bool {
	// A field ending in Secret names one of SecretsService's secrets by its ID (the
	// platform keeps the value); a TTL is a lifetime; a pagination token is a cursor
	// naming a listing's next page.
	if strings.HasSuffix(name, "Secret") || strings.HasSuffix(name, "TTL") || strings.HasSuffix(name, "PaginationToken") {
		return false
	}
	n := strings.ToLower(name)
	for _, w := range []string{"token", "password", "secret", "authorization", "pincode", "verificationcode", "apikey", "bearer"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return strings.HasSuffix(n, "skey") // AppSKey, NwkSKey, ASKey
}

// fill sets v's secrets: Secret, Token and Client values anywhere, string fields named
// like credentials (unless fake), and recursively the module's structs behind fields,
// pointers, slices and maps. Unexported fields are set through unsafe, as the values
// a constructor builds would hold them.
func (f *filler) fill(v reflect.Value, where, fieldName string, depth int, fake bool) {
	if depth > 4 {
		return
	}
	t := v.Type()
	switch {
	case t == secretType:
		set(v, reflect.ValueOf(tago.Secret(f.newSecret(where))))
	case t == tokenType:
		set(v, reflect.ValueOf(tago.AccountToken(f.newSecret(where))))
	case t == clientType:
		set(v, reflect.ValueOf(f.client(where)).Elem())
	case t == reflect.PointerTo(clientType):
		set(v, reflect.ValueOf(f.client(where)))
	case t == errorType:
		set(v, reflect.ValueOf(errors.New("the cause")))
	case t.Kind() == reflect.String && !fake && credentialName(fieldName):
		set(v, reflect.ValueOf(f.newSecret(where)).Convert(t))
	case t.Kind() == reflect.Struct && inModule(t):
		for i := range t.NumField() {
			fl := t.Field(i)
			f.fill(v.Field(i), where+"."+fl.Name, fl.Name, depth+1, fake)
		}
	case t.Kind() == reflect.Pointer && holdsSecrets(t.Elem()):
		p := reflect.New(t.Elem())
		f.fill(p.Elem(), where, fieldName, depth+1, fake)
		set(v, p)
	case t.Kind() == reflect.Slice && (holdsSecrets(t.Elem()) || t.Elem().Kind() == reflect.String && !fake && credentialName(fieldName)):
		s := reflect.MakeSlice(t, 1, 1)
		f.fill(s.Index(0), where+"[0]", fieldName, depth+1, fake)
		set(v, s)
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && holdsSecrets(t.Elem()):
		e := reflect.New(t.Elem()).Elem()
		f.fill(e, where+"[k]", fieldName, depth+1, fake)
		m := reflect.MakeMap(t)
		m.SetMapIndex(reflect.ValueOf("k").Convert(t.Key()), e)
		set(v, m)
	}
}

// client returns a client made by NewClient whose token is a fresh secret.
func (f *filler) client(where string) *tago.Client {
	c, err := tago.NewClient(tago.AccountToken(f.newSecret(where)), tago.WithBaseURL("https://api.tago.test"))
	require.NoError(f.t, err)
	return c
}

// holdsSecrets reports whether the filler puts anything into a value of type t.
func holdsSecrets(t reflect.Type) bool {
	return t == secretType || t == tokenType || t == clientType || t == errorType ||
		t.Kind() == reflect.Struct && inModule(t) || t.Kind() == reflect.Pointer && holdsSecrets(t.Elem())
}

// inModule reports whether t is declared in this module (its tests included).
func inModule(t reflect.Type) bool {
	p := t.PkgPath()
	return p == modulePath || p == modulePath+"_test" || strings.HasPrefix(p, modulePath+"/")
}

// set stores x in v, through unsafe when v is an unexported field.
func set(v, x reflect.Value) {
	if !v.CanSet() {
		v = reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
	}
	v.Set(x)
}

// printForms returns v as a value, through a pointer, as the field of a struct, as the
// element of a slice and as the value of a map.
func printForms(v reflect.Value) map[string]any {
	t := v.Type()
	st := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "V", Type: t}})).Elem()
	st.Field(0).Set(v)
	sl := reflect.MakeSlice(reflect.SliceOf(t), 1, 1)
	sl.Index(0).Set(v)
	m := reflect.MakeMap(reflect.MapOf(reflect.TypeFor[string](), t))
	m.SetMapIndex(reflect.ValueOf("k"), v)
	return map[string]any{
		"value":   v.Interface(),
		"pointer": v.Addr().Interface(),
		"struct":  st.Interface(),
		"slice":   sl.Interface(),
		"map":     m.Interface(),
	}
}

// rendering is one way x was printed.
type rendering struct{ how, text string }

// renderings prints x with every fmt verb and both slog handlers.
func renderings(x any) []rendering {
	var out []rendering
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X"} {
		out = append(out, rendering{verb, fmt.Sprintf(verb, x)})
	}
	for _, h := range []struct {
		name string
		new  func(*bytes.Buffer) slog.Handler
	}{
		{"slog text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
		{"slog JSON", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
	} {
		var buf bytes.Buffer
		slog.New(h.new(&buf)).Info("value", "v", x)
		out = append(out, rendering{h.name, buf.String()})
	}
	return out
}

// leaked returns where the first secret that s reveals was put, or "". A secret is
// revealed by any 8 of its characters in a row (a mask shows only the last 4), in
// plain text or hexadecimal.
func (f *filler) leaked(s string) string {
	lower := strings.ToLower(s)
	for _, sec := range f.secrets {
		for i := 0; i+8 <= len(sec.value); i++ {
			w := sec.value[i : i+8]
			if strings.Contains(s, w) || strings.Contains(lower, hex.EncodeToString([]byte(w))) {
				return sec.where
			}
		}
	}
	return ""
}
