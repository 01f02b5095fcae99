//! A project's board: one column per task status in board order. Cards move by drag and drop
//! (SortableJS) or by keyboard; cairn.js posts each move with the card's new neighbours.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use cairn_core::delivery::tasks::BoardCard;
use cairn_domain::{Action, DomainError, Resource};
use chrono::NaiveDate;
use serde::Deserialize;

use super::fields::{self, fragment_error, is_htmx, path_id};
use super::project_page::{ProjectHead, head};
use super::task_rows::TaskLook;
use super::vocab::Label;
use super::{Shell, Ui, error_page, not_found_page, render};
use crate::AppState;

/// One board column.
pub struct Column<'a> {
    pub status: &'static str,
    pub label: &'static str,
    pub tasks: &'a [BoardCard],
    /// Older cards of a done or cancelled column left out of the page.
    pub hidden: usize,
}

/// How many of the last cards moved into done and cancelled the board shows by default.
const CLOSED_WINDOW: usize = 50;

/// `?closed=all` shows every done and cancelled card.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BoardQuery {
    closed: String,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage<'a> {
    shell: Shell,
    head: ProjectHead,
    columns: Vec<Column<'a>>,
    today: NaiveDate,
    can_move: bool,
    sortable: &'static str,
}

/// The board.
pub async fn view_project_board_get(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Response {
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let loaded = async {
        let head = head(&state, &ui, id, "board").await?;
        let window = (q.closed != "all").then_some(CLOSED_WINDOW);
        let board = state
            .cairn
            .project_board_window(ui.actor(), &head.seen, window)
            .await?;
        Ok::<_, DomainError>((head, board))
    }
    .await;
    match loaded {
        Ok((head, board)) => render(&BoardPage {
            shell: ui.shell(format!("Board · {}", head.p.name), "projects"),
            head,
            columns: board
                .columns
                .iter()
                .map(|c| Column {
                    status: c.status.as_str(),
                    label: c.status.label(),
                    tasks: &c.cards,
                    hidden: c.hidden,
                })
                .collect(),
            today: cairn_core::delivery::today_for(ui.actor()),
            can_move: ui.actor().can(Action::Update, Resource::Task),
            sortable: crate::assets::url("sortable.min.js"),
        }),
        Err(e) => error_page(e),
    }
}

/// A card's move: its new column and the cards above and below it there.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    task: String,
    status: String,
    /// The card now above it (blank at the top of the column).
    after: String,
    /// The card now below it (blank at the bottom).
    before: String,
}

/// Moves a card; answers 204 to the board's script, or goes back to the board.
pub async fn view_project_board_move_post(
    State(state): State<AppState>,
    ui: Ui,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<MoveForm>,
) -> Response {
    let script = is_htmx(&headers);
    let fail = |e| {
        if script {
            fragment_error(e)
        } else {
            error_page(e)
        }
    };
    let Some(id) = path_id(&id) else {
        return not_found_page();
    };
    let a = ui.actor();
    let result = async {
        let [task, after, before] = [
            ("task", &f.task),
            ("after", &f.after),
            ("before", &f.before),
        ]
        .map(|(field, raw)| fields::optional_id(field, raw));
        state
            .cairn
            .move_task_on_board(
                a,
                id,
                task.map_err(|e| DomainError::Invalid(vec![e]))?,
                &f.status,
                after.map_err(|e| DomainError::Invalid(vec![e]))?,
                before.map_err(|e| DomainError::Invalid(vec![e]))?,
            )
            .await
    }
    .await;
    match result {
        Ok(_) if script => StatusCode::NO_CONTENT.into_response(),
        Ok(_) => Redirect::to(&format!("/projects/{id}/board")).into_response(),
        Err(e) => fail(e),
    }
}
