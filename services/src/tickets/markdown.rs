//! Ticket bodies are Markdown, rendered once on the server when written.
//! Raw HTML in the source is shown as text, never interpreted, and the
//! result is sanitised again by `ammonia` (links get `rel="noopener
//! noreferrer nofollow"`, only http, https and mailto links survive, and
//! images become links so a message cannot load a tracker or break the CSP).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// `markdown` as safe HTML.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut in_image = false;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        // Raw HTML shows as the text it is.
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::Image { dest_url, .. }) => {
            in_image = true;
            Event::Start(Tag::Link {
                link_type: pulldown_cmark::LinkType::Inline,
                dest_url,
                title: "".into(),
                id: "".into(),
            })
        }
        Event::End(TagEnd::Image) if in_image => {
            in_image = false;
            Event::End(TagEnd::Link)
        }
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .rm_tags(["img"])
        .clean(&html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_renders() {
        let html = render("**bold** and `code`\n\n- one\n- two");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains("<code>code</code>"), "{html}");
        assert!(html.contains("<li>two</li>"), "{html}");
    }

    #[test]
    fn scripts_raw_html_and_javascript_links_are_inert() {
        let html = render("<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)> [x](javascript:alert(1)) <a href=\"javascript:alert(2)\">y</a>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        // No tag (only escaped text) mentions javascript: or an event handler.
        let tags: Vec<&str> = html
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or(""))
            .collect();
        assert!(
            tags.iter()
                .all(|t| !t.contains("javascript") && !t.contains("onerror")),
            "{html}"
        );
        assert!(
            html.contains("&lt;script&gt;"),
            "raw HTML is shown as text: {html}"
        );
    }

    #[test]
    fn links_are_marked_and_images_become_links() {
        let html = render("[docs](https://example.com) ![shot](https://example.com/a.png)");
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("href=\"https://example.com/a.png\""), "{html}");
    }
}
