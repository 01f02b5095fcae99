//! Markdown for notes, rendered safely: raw HTML in the source is shown as text, and links
//! keep only http(s), mailto and tel destinations, so a note can never carry script.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:", "tel:", "/", "#"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Renders Markdown to HTML that is safe to embed in a page.
pub fn render(source: &str) -> String {
    let parser = Parser::new_ext(
        source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS,
    )
    .map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        Event::Start(Tag::Image { dest_url, .. }) => {
            Event::Text(CowStr::from(format!("[image: {dest_url}]")))
        }
        Event::End(pulldown_cmark::TagEnd::Image) => Event::Text(CowStr::Borrowed("")),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn formats_markdown_and_neutralises_html_and_script_links() {
        assert!(render("# Title\n- item").contains("<h1>Title</h1>"));
        let html = render(
            "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(!html.contains("<script"));
        assert!(!html.contains("<img"));
        // The text may mention javascript: but no link may point there.
        assert!(!html.contains("href=\"javascript:"), "{html}");
        assert!(
            render("[x](javascript:alert(1))").contains("href=\"#\""),
            "{}",
            render("[x](javascript:alert(1))")
        );
        assert!(html.contains("&lt;script&gt;"));
        assert!(render("[site](https://example.com)").contains("href=\"https://example.com\""));
    }
}
