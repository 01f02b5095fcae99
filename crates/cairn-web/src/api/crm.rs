//! `/api/v1/clients`, `/api/v1/contacts`, `/api/v1/interactions`, `/api/v1/tags`: the CRM.
//! PATCH bodies distinguish an absent field (unchanged) from `null` (cleared).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cairn_core::clients::{
    ClientChanges, ClientFilter, ClientView, FieldDiff, UserRef, VersionView,
};
use cairn_core::contacts::{ContactChanges, ContactView};
use cairn_core::interactions::{InteractionView, NewInteraction};
use cairn_core::page::PageRequest;
use cairn_core::tags::TagView;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{parse_id, with_etag};
use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiActor, ApiJson, ApiQuery, IfMatch};

/// Present-but-null becomes `Some(None)`; absent stays `None` (with `#[serde(default)]`).
pub(crate) fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// A client's fields. On create `name` is required; on PATCH absent fields are unchanged and
/// `null` clears a field.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientBody {
    pub name: Option<String>,
    /// lead, active, paused, former
    pub status: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub industry: Option<Option<String>>,
    /// micro, small, medium, large
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub company_size: Option<Option<String>>,
    /// IANA time zone
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub timezone: Option<Option<String>>,
    /// none, low, medium, high
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub ai_maturity: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    /// Markdown.
    pub notes: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub account_owner_id: Option<Option<uuid::Uuid>>,
    /// Tag ids; replaces the client's tags.
    pub tags: Option<Vec<uuid::Uuid>>,
    #[schema(value_type = Option<Object>)]
    pub custom: Option<serde_json::Value>,
    /// everyone or restricted (owners and admins).
    pub visibility: Option<String>,
    /// Users who may see a restricted client (owners and admins).
    pub access: Option<Vec<uuid::Uuid>>,
}

impl From<ClientBody> for ClientChanges {
    fn from(b: ClientBody) -> Self {
        Self {
            name: b.name,
            status: b.status,
            industry: b.industry,
            company_size: b.company_size,
            timezone: b.timezone,
            ai_maturity: b.ai_maturity,
            website: b.website,
            email: b.email,
            phone: b.phone,
            address: b.address,
            notes: b.notes,
            account_owner_id: b.account_owner_id,
            tags: b.tags,
            custom: b.custom,
            visibility: b.visibility,
            access: b.access,
        }
    }
}

/// List parameters of `/api/v1/clients`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ClientListParams {
    /// One status or several separated by commas.
    pub status: Option<String>,
    /// A tag id.
    pub tag: Option<uuid::Uuid>,
    /// A user id, `me` or `none`.
    pub owner: Option<String>,
    /// Text in name, email, website or industry.
    pub q: Option<String>,
    /// false (default), true, all
    pub archived: Option<String>,
    /// name, -name, updated_at, -updated_at, status, -status
    pub sort: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A page of clients.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientPage {
    pub items: Vec<ClientView>,
    pub next_cursor: Option<String>,
}

/// Lists the clients the caller may see.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", params(ClientListParams),
    responses((status = 200, body = ClientPage), (status = 400, body = Problem)))]
pub async fn list_clients(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(p): ApiQuery<ClientListParams>,
) -> ApiResult<Json<ClientPage>> {
    let f = ClientFilter {
        status: p.status,
        tag: p.tag,
        owner: p.owner,
        q: p.q,
        archived: p.archived,
        sort: p.sort,
    };
    let page = state
        .cairn
        .list_clients(
            &a,
            &f,
            &PageRequest {
                limit: p.limit,
                cursor: p.cursor,
            },
        )
        .await?;
    Ok(Json(ClientPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Creates a client.
#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", request_body = ClientBody,
    responses((status = 201, body = ClientView), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn create_client(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<ClientBody>,
) -> ApiResult<Response> {
    let c = state.cairn.create_client(&a, b.into()).await?;
    let mut res = with_etag(c.version, c);
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

/// One client.
#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = String, Path)),
    responses((status = 200, body = ClientView), (status = 404, body = Problem)))]
pub async fn get_client(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let c = state.cairn.get_client(&a, parse_id(&id)?).await?;
    Ok(with_etag(c.version, c))
}

/// Updates a client (send the ETag in `If-Match`).
#[utoipa::path(patch, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = String, Path)), request_body = ClientBody,
    responses((status = 200, body = ClientView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn update_client(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<ClientBody>,
) -> ApiResult<Response> {
    let c = state
        .cairn
        .update_client(&a, parse_id(&id)?, b.into(), v)
        .await?;
    Ok(with_etag(c.version, c))
}

/// Permanent deletion parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeleteParams {
    /// The client's name, typed to confirm.
    pub confirm_name: Option<String>,
}

/// Permanently deletes a client with its contacts and interactions (owners and admins).
#[utoipa::path(delete, path = "/api/v1/clients/{id}", tag = "clients", params(("id" = String, Path), DeleteParams),
    responses((status = 204), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_client(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<DeleteParams>,
) -> ApiResult<StatusCode> {
    state
        .cairn
        .delete_client(&a, parse_id(&id)?, p.confirm_name.as_deref().unwrap_or(""))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Archives a client.
#[utoipa::path(post, path = "/api/v1/clients/{id}/archive", tag = "clients", params(("id" = String, Path)),
    responses((status = 200, body = ClientView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn archive_client(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult<Response> {
    let c = state
        .cairn
        .set_client_archived(&a, parse_id(&id)?, true, v)
        .await?;
    Ok(with_etag(c.version, c))
}

/// Restores an archived client.
#[utoipa::path(post, path = "/api/v1/clients/{id}/restore", tag = "clients", params(("id" = String, Path)),
    responses((status = 200, body = ClientView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn restore_client(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult<Response> {
    let c = state
        .cairn
        .set_client_archived(&a, parse_id(&id)?, false, v)
        .await?;
    Ok(with_etag(c.version, c))
}

/// Who may see a client.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessBody {
    /// everyone or restricted
    pub visibility: String,
    /// Users who may see it when restricted (owners and admins always can).
    pub users: Vec<uuid::Uuid>,
}

/// The users of a restricted client.
#[utoipa::path(get, path = "/api/v1/clients/{id}/access", tag = "clients", params(("id" = String, Path)),
    responses((status = 200, body = Vec<UserRef>), (status = 404, body = Problem)))]
pub async fn get_access(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<UserRef>>> {
    Ok(Json(state.cairn.client_access(&a, parse_id(&id)?).await?))
}

/// Sets a client's visibility and access list (owners and admins).
#[utoipa::path(put, path = "/api/v1/clients/{id}/access", tag = "clients", params(("id" = String, Path)), request_body = AccessBody,
    responses((status = 200, body = ClientView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn put_access(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<AccessBody>,
) -> ApiResult<Response> {
    let c = state
        .cairn
        .set_client_access(&a, parse_id(&id)?, &b.visibility, b.users, v)
        .await?;
    Ok(with_etag(c.version, c))
}

/// The versions of a client, newest first.
#[utoipa::path(get, path = "/api/v1/clients/{id}/versions", tag = "clients", params(("id" = String, Path)),
    responses((status = 200, body = Vec<VersionView>), (status = 404, body = Problem)))]
pub async fn versions(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<VersionView>>> {
    Ok(Json(state.cairn.client_versions(&a, parse_id(&id)?).await?))
}

/// Which versions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffParams {
    pub from: i64,
    pub to: i64,
}

/// Field-level differences between two versions.
#[utoipa::path(get, path = "/api/v1/clients/{id}/versions/diff", tag = "clients", params(("id" = String, Path), DiffParams),
    responses((status = 200, body = Vec<FieldDiff>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn diff(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<DiffParams>,
) -> ApiResult<Json<Vec<FieldDiff>>> {
    Ok(Json(
        state
            .cairn
            .diff_client_versions(&a, parse_id(&id)?, p.from, p.to)
            .await?,
    ))
}

/// The version to go back to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevertBody {
    pub version: i64,
}

/// Reverts a client to an earlier version (a new version; audited).
#[utoipa::path(post, path = "/api/v1/clients/{id}/revert", tag = "clients", params(("id" = String, Path)), request_body = RevertBody,
    responses((status = 200, body = ClientView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn revert(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<RevertBody>,
) -> ApiResult<Response> {
    let c = state
        .cairn
        .revert_client(&a, parse_id(&id)?, b.version, v)
        .await?;
    Ok(with_etag(c.version, c))
}

/// A contact's fields; PATCH semantics as for clients.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub notes: Option<String>,
    /// Making a contact primary clears the flag on the client's other contacts.
    pub is_primary: Option<bool>,
}

impl From<ContactBody> for ContactChanges {
    fn from(b: ContactBody) -> Self {
        Self {
            name: b.name,
            title: b.title,
            email: b.email,
            phone: b.phone,
            notes: b.notes,
            is_primary: b.is_primary,
        }
    }
}

/// Contact list parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactListParams {
    /// Include archived contacts.
    pub archived: Option<bool>,
}

/// A client's contacts, primary first.
#[utoipa::path(get, path = "/api/v1/clients/{id}/contacts", tag = "contacts", params(("id" = String, Path), ContactListParams),
    responses((status = 200, body = Vec<ContactView>), (status = 404, body = Problem)))]
pub async fn list_contacts(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<ContactListParams>,
) -> ApiResult<Json<Vec<ContactView>>> {
    Ok(Json(
        state
            .cairn
            .list_contacts(&a, parse_id(&id)?, p.archived.unwrap_or(false))
            .await?,
    ))
}

/// Adds a contact to a client.
#[utoipa::path(post, path = "/api/v1/clients/{id}/contacts", tag = "contacts", params(("id" = String, Path)), request_body = ContactBody,
    responses((status = 201, body = ContactView), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn create_contact(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ContactBody>,
) -> ApiResult<Response> {
    let c = state
        .cairn
        .create_contact(&a, parse_id(&id)?, b.into())
        .await?;
    let mut res = with_etag(c.version, c);
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

/// One contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = String, Path)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem)))]
pub async fn get_contact(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let c = state.cairn.get_contact(&a, parse_id(&id)?).await?;
    Ok(with_etag(c.version, c))
}

/// Updates a contact.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = String, Path)), request_body = ContactBody,
    responses((status = 200, body = ContactView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn update_contact(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<ContactBody>,
) -> ApiResult<Response> {
    let c = state
        .cairn
        .update_contact(&a, parse_id(&id)?, b.into(), v)
        .await?;
    Ok(with_etag(c.version, c))
}

/// Archives a contact.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/archive", tag = "contacts", params(("id" = String, Path)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem)))]
pub async fn archive_contact(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult<Response> {
    let c = state
        .cairn
        .set_contact_archived(&a, parse_id(&id)?, true, v)
        .await?;
    Ok(with_etag(c.version, c))
}

/// Restores a contact.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/restore", tag = "contacts", params(("id" = String, Path)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem)))]
pub async fn restore_contact(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
) -> ApiResult<Response> {
    let c = state
        .cairn
        .set_contact_archived(&a, parse_id(&id)?, false, v)
        .await?;
    Ok(with_etag(c.version, c))
}

/// A new interaction.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionBody {
    /// note, call, email, meeting, event
    pub kind: String,
    pub body: String,
    /// Defaults to now.
    pub occurred_at: Option<chrono::DateTime<chrono::Utc>>,
    pub contact_id: Option<uuid::Uuid>,
    /// The interaction this one corrects.
    pub corrects_id: Option<uuid::Uuid>,
}

/// Interaction list parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InteractionListParams {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A page of interactions.
#[derive(Debug, Serialize, ToSchema)]
pub struct InteractionPage {
    pub items: Vec<InteractionView>,
    pub next_cursor: Option<String>,
}

/// A client's interactions, newest first.
#[utoipa::path(get, path = "/api/v1/clients/{id}/interactions", tag = "interactions", params(("id" = String, Path), InteractionListParams),
    responses((status = 200, body = InteractionPage), (status = 404, body = Problem)))]
pub async fn list_interactions(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<InteractionListParams>,
) -> ApiResult<Json<InteractionPage>> {
    let page = state
        .cairn
        .list_interactions(
            &a,
            parse_id(&id)?,
            &PageRequest {
                limit: p.limit,
                cursor: p.cursor,
            },
        )
        .await?;
    Ok(Json(InteractionPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Records an interaction (immutable once created).
#[utoipa::path(post, path = "/api/v1/clients/{id}/interactions", tag = "interactions", params(("id" = String, Path)), request_body = InteractionBody,
    responses((status = 201, body = InteractionView), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn create_interaction(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<InteractionBody>,
) -> ApiResult<Response> {
    let input = NewInteraction {
        kind: b.kind,
        body: b.body,
        occurred_at: b.occurred_at,
        contact_id: b.contact_id,
        corrects_id: b.corrects_id,
    };
    let i = state
        .cairn
        .create_interaction(&a, parse_id(&id)?, input)
        .await?;
    Ok((StatusCode::CREATED, Json(i)).into_response())
}

/// One interaction.
#[utoipa::path(get, path = "/api/v1/interactions/{id}", tag = "interactions", params(("id" = String, Path)),
    responses((status = 200, body = InteractionView), (status = 404, body = Problem)))]
pub async fn get_interaction(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<InteractionView>> {
    Ok(Json(state.cairn.get_interaction(&a, parse_id(&id)?).await?))
}

/// 405 with the `Allow` header RFC 9110 requires. The caller is authenticated first, so an
/// anonymous request gets 401 like every other API route.
fn immutable() -> Response {
    let mut res = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "interactions are immutable: record a new interaction with corrects_id instead",
    )
    .into_response();
    res.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET"));
    res
}

/// Interactions cannot be changed.
#[utoipa::path(patch, path = "/api/v1/interactions/{id}", tag = "interactions", params(("id" = String, Path)), responses((status = 405, body = Problem, headers(("Allow" = String, description = "`GET`: interactions are only read")))))]
pub async fn patch_interaction(_caller: ApiActor) -> Response {
    immutable()
}

/// Interactions cannot be replaced.
#[utoipa::path(put, path = "/api/v1/interactions/{id}", tag = "interactions", params(("id" = String, Path)), responses((status = 405, body = Problem, headers(("Allow" = String, description = "`GET`: interactions are only read")))))]
pub async fn put_interaction(_caller: ApiActor) -> Response {
    immutable()
}

/// Interactions cannot be deleted.
#[utoipa::path(delete, path = "/api/v1/interactions/{id}", tag = "interactions", params(("id" = String, Path)), responses((status = 405, body = Problem, headers(("Allow" = String, description = "`GET`: interactions are only read")))))]
pub async fn delete_interaction(_caller: ApiActor) -> Response {
    immutable()
}

/// The workspace tag list.
#[utoipa::path(get, path = "/api/v1/tags", tag = "tags", responses((status = 200, body = Vec<TagView>)))]
pub async fn list_tags(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Vec<TagView>>> {
    Ok(Json(state.cairn.list_tags(&a).await?))
}

/// A tag.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagBody {
    pub name: Option<String>,
    /// `#rrggbb`
    pub colour: Option<String>,
}

/// Adds a tag (owners and admins).
#[utoipa::path(post, path = "/api/v1/tags", tag = "tags", request_body = TagBody,
    responses((status = 201, body = TagView), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn create_tag(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<TagBody>,
) -> ApiResult<Response> {
    let t = state
        .cairn
        .create_tag(&a, b.name.as_deref().unwrap_or(""), b.colour.as_deref())
        .await?;
    let mut res = with_etag(t.version, t);
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

/// Renames or recolours a tag (owners and admins).
#[utoipa::path(patch, path = "/api/v1/tags/{id}", tag = "tags", params(("id" = String, Path)), request_body = TagBody,
    responses((status = 200, body = TagView), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn update_tag(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<TagBody>,
) -> ApiResult<Response> {
    let t = state
        .cairn
        .update_tag(
            &a,
            parse_id(&id)?,
            b.name.as_deref(),
            b.colour.as_deref(),
            v,
        )
        .await?;
    Ok(with_etag(t.version, t))
}

/// Deletes a tag and takes it off every record (owners and admins).
#[utoipa::path(delete, path = "/api/v1/tags/{id}", tag = "tags", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_tag(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.cairn.delete_tag(&a, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The versions of a contact, newest first.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/versions", tag = "contacts", params(("id" = String, Path)),
    responses((status = 200, body = Vec<VersionView>), (status = 404, body = Problem)))]
pub async fn contact_versions(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<VersionView>>> {
    Ok(Json(
        state.cairn.contact_versions(&a, parse_id(&id)?).await?,
    ))
}

/// Field-level differences between two versions of a contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}/versions/diff", tag = "contacts", params(("id" = String, Path), DiffParams),
    responses((status = 200, body = Vec<FieldDiff>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn contact_diff(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<DiffParams>,
) -> ApiResult<Json<Vec<FieldDiff>>> {
    Ok(Json(
        state
            .cairn
            .diff_contact_versions(&a, parse_id(&id)?, p.from, p.to)
            .await?,
    ))
}

/// Reverts a contact to an earlier version (a new version; audited).
#[utoipa::path(post, path = "/api/v1/contacts/{id}/revert", tag = "contacts", params(("id" = String, Path)), request_body = RevertBody,
    responses((status = 200, body = ContactView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)))]
pub async fn contact_revert(
    State(state): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<String>,
    IfMatch(v): IfMatch,
    ApiJson(b): ApiJson<RevertBody>,
) -> ApiResult<Response> {
    let c = state
        .cairn
        .revert_contact(&a, parse_id(&id)?, b.version, v)
        .await?;
    Ok(with_etag(c.version, c))
}
