// The article body editor in admin: a Markdown toolbar, a live preview rendered by the site's
// own renderer and sanitiser (the admin's body-preview endpoint), and the unsaved text kept in
// this browser while typing, offered back when the article is opened again.
(function () {
  "use strict";

  // The admin loads form media in the head: start once the form is there.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
    var PREVIEW_DELAY_MS = 350;
    var config = document.getElementById("article-editor-config");
    var body = document.getElementById("id_body");
    if (!config || !body) {
      return; // a read-only view of the article: nothing to edit
    }
    var form = body.form;

    // ---- Editing the text: every change goes through the browser's own undo stack. ----

    function replaceSelection(text, selectStart, selectEnd) {
      var start = body.selectionStart;
      body.focus();
      if (!document.execCommand || !document.execCommand("insertText", false, text)) {
        body.setRangeText(text, body.selectionStart, body.selectionEnd, "end");
        body.dispatchEvent(new Event("input", { bubbles: true }));
      }
      if (selectStart !== undefined) {
        body.setSelectionRange(start + selectStart, start + selectEnd);
      }
    }

    function selected() {
      return body.value.slice(body.selectionStart, body.selectionEnd);
    }

    function wrap(before, after, placeholder) {
      return function () {
        var text = selected() || placeholder;
        replaceSelection(before + text + after, before.length, before.length + text.length);
      };
    }

    function selectWholeLines() {
      var value = body.value;
      var start = value.lastIndexOf("\n", body.selectionStart - 1) + 1;
      var end = value.indexOf("\n", body.selectionEnd);
      body.setSelectionRange(start, end === -1 ? value.length : end);
    }

    function prefixLines(prefixFor) {
      return function () {
        selectWholeLines();
        var lines = selected().split("\n");
        var text = lines
          .map(function (line, index) {
            return prefixFor(index) + line;
          })
          .join("\n");
        replaceSelection(text, 0, text.length);
      };
    }

    function block(text, selectFrom, selectTo) {
      return function () {
        var before = body.value.slice(0, body.selectionStart);
        var gap = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
        replaceSelection(gap + text, gap.length + selectFrom, gap.length + selectTo);
      };
    }

    var TABLE = "| Column | Column |\n| --- | --- |\n| Cell | Cell |\n";
    var FAQ = "## Frequently asked questions\n\n### A question readers ask?\n\nThe answer.\n";
    var tools = [
      { label: "H2", name: "Heading 2", title: "Section heading (## : it goes in the contents)", run: prefixLines(function () { return "## "; }) },
      { label: "H3", name: "Heading 3", title: "Sub-heading (###)", run: prefixLines(function () { return "### "; }) },
      { label: "B", name: "Bold", title: "Bold", run: wrap("**", "**", "bold text") },
      { label: "I", name: "Italic", title: "Italic", run: wrap("_", "_", "italic text") },
      { label: "Link", name: "Link", title: "Link to a web address", run: wrap("[", "](https://)", "link text") },
      { label: "Article link", name: "Article link", title: "Link to another article, found by its title: the link follows renames", run: pickArticle },
      { label: "• List", name: "Bulleted list", title: "Bulleted list", run: prefixLines(function () { return "- "; }) },
      { label: "1. List", name: "Numbered list", title: "Numbered list", run: prefixLines(function (index) { return index + 1 + ". "; }) },
      { label: "Quote", name: "Quote", title: "Quotation", run: prefixLines(function () { return "> "; }) },
      { label: "Code", name: "Code", title: "Code (a block for several lines)", run: function () {
        var text = selected();
        if (text.indexOf("\n") === -1) {
          wrap("`", "`", "code")();
        } else {
          replaceSelection("```\n" + text + "\n```", 4, 4 + text.length);
        }
      } },
      { label: "Table", name: "Table", title: "Table", run: block(TABLE, 2, 8) },
      { label: "FAQ", name: "FAQ section", title: "A questions section: a heading, then each question as a ### heading", run: block(FAQ, 35, 58) },
      { label: "Image", name: "Image", title: "Upload an image into the body (or drop or paste one into the text)", run: chooseImage },
    ];

    // ---- The layout: toolbar over the text, the preview beside it. ----

    var editor = document.createElement("div");
    editor.className = "body-editor";
    var toolbar = document.createElement("div");
    toolbar.className = "body-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Format the body");
    tools.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = tool.label;
      button.title = tool.title;
      button.setAttribute("aria-label", tool.name);
      button.addEventListener("click", tool.run);
      toolbar.appendChild(button);
    });
    var panes = document.createElement("div");
    panes.className = "body-panes";
    var previewPane = document.createElement("div");
    previewPane.className = "body-preview-pane";
    // The pane beside the text: the preview, and the SEO and readability panel, as two tabs.
    var previewLabel = document.createElement("div");
    previewLabel.className = "body-preview-label";
    var tabList = document.createElement("div");
    tabList.setAttribute("role", "tablist");
    tabList.setAttribute("aria-label", "Beside the text");
    var previewTab = document.createElement("button");
    var seoTab = document.createElement("button");
    var seoCount = document.createElement("span");
    var previewStatus = document.createElement("span");
    previewStatus.className = "body-preview-status";
    previewStatus.setAttribute("aria-live", "polite");
    var preview = document.createElement("div");
    preview.className = "body-preview";
    preview.id = "body-preview";
    var seoPanel = document.createElement("div");
    seoPanel.className = "body-seo";
    seoPanel.id = "body-seo";
    seoPanel.hidden = true;
    [[previewTab, preview, "Preview"], [seoTab, seoPanel, "SEO & readability"]].forEach(function (pair) {
      pair[0].type = "button";
      pair[0].className = "body-tab";
      pair[0].id = pair[1].id + "-tab";
      pair[0].textContent = pair[2];
      pair[0].setAttribute("role", "tab");
      pair[0].setAttribute("aria-controls", pair[1].id);
      pair[1].setAttribute("role", "tabpanel");
      pair[1].setAttribute("aria-labelledby", pair[0].id);
      pair[1].tabIndex = 0;
      pair[0].addEventListener("click", function () {
        showTab(pair[0]);
      });
      tabList.appendChild(pair[0]);
    });
    seoCount.className = "body-seo-count";
    seoTab.appendChild(seoCount);
    tabList.addEventListener("keydown", function (event) {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        var next = event.target === previewTab ? seoTab : previewTab;
        showTab(next);
        next.focus();
      }
    });

    function showTab(tab) {
      [[previewTab, preview], [seoTab, seoPanel]].forEach(function (pair) {
        var chosen = pair[0] === tab;
        pair[0].setAttribute("aria-selected", chosen ? "true" : "false");
        pair[0].tabIndex = chosen ? 0 : -1;
        pair[1].hidden = !chosen;
      });
    }

    showTab(previewTab);
    previewLabel.appendChild(tabList);
    previewLabel.appendChild(previewStatus);
    previewPane.appendChild(previewLabel);
    previewPane.appendChild(preview);
    previewPane.appendChild(seoPanel);

    body.parentNode.insertBefore(editor, body);
    editor.appendChild(toolbar);
    editor.appendChild(panes);
    panes.appendChild(body);
    panes.appendChild(previewPane);

    // ---- The live preview. ----

    var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
    var previewTimer = null;
    var SEO_FIELDS = ["title", "seo_title", "dek", "meta_description", "slug"];
    var latestRequest = 0;

    function refreshPreview() {
      var request = ++latestRequest;
      var data = new FormData();
      data.append("body", body.value);
      SEO_FIELDS.forEach(function (name) {
        if (form.elements[name]) {
          data.append(name, form.elements[name].value);
        }
      });
      data.append("article", config.getAttribute("data-article-id") || "");
      data.append("faq", JSON.stringify(faqItems()));
      fetch(config.getAttribute("data-preview-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfInput ? csrfInput.value : "" },
      })
        .then(function (response) {
          return response.json().then(function (json) {
            return { ok: response.ok, json: json };
          });
        })
        .then(function (answer) {
          if (request !== latestRequest) {
            return; // a newer one is on its way
          }
          if (!answer.ok) {
            previewStatus.textContent = answer.json.error || "Preview unavailable.";
            return;
          }
          // Rendered and sanitised by the server exactly as on the public page.
          preview.innerHTML = answer.json.html;
          previewStatus.textContent = answer.json.words + " words";
          if (answer.json.seo) {
            showSeo(answer.json.seo);
          }
        })
        .catch(function () {
          if (request === latestRequest) {
            previewStatus.textContent = "Offline: the preview waits; your text is kept in this browser.";
          }
        });
    }

    function schedulePreview() {
      window.clearTimeout(previewTimer);
      previewTimer = window.setTimeout(refreshPreview, PREVIEW_DELAY_MS);
    }

    body.addEventListener("input", schedulePreview);
    form.addEventListener("input", function (event) {
      var name = event.target.name || "";
      if (SEO_FIELDS.indexOf(name) !== -1 || /^faqs-\d+-(question|answer|DELETE)$/.test(name)) {
        schedulePreview(); // what the panel checks has changed
      }
    });
    refreshPreview();

    // ---- The SEO and readability panel: what search results and share cards will show. ----

    function faqItems() {
      var items = [];
      Array.prototype.forEach.call(form.querySelectorAll("[name$='-question']"), function (question) {
        var match = /^faqs-(\d+)-question$/.exec(question.name);
        if (!match) {
          return; // the empty template of a new item
        }
        var prefix = "faqs-" + match[1] + "-";
        var removed = form.elements[prefix + "DELETE"];
        var answer = form.elements[prefix + "answer"];
        if (!(removed && removed.checked)) {
          items.push([question.value, answer ? answer.value : ""]);
        }
      });
      return items;
    }

    function check(list, good, text) {
      var item = element("li", good ? "seo-good" : "seo-warn");
      item.appendChild(element("span", "seo-mark", good ? "✓" : "!"));
      item.appendChild(element("span", "", text));
      list.appendChild(item);
      return good ? 0 : 1;
    }

    function section(title) {
      var node = element("section", "seo-section");
      node.appendChild(element("h3", "", title));
      seoPanel.appendChild(node);
      return node;
    }

    function showSeo(seo) {
      seoPanel.textContent = "";
      var problems = 0;

      var search = section("Search result");
      var result = element("div", "seo-search-result");
      result.appendChild(element("p", "seo-search-url", seo.search.url));
      result.appendChild(element("p", "seo-search-title", seo.search.title || "(no title)"));
      result.appendChild(element("p", "seo-search-description", seo.search.description || "(no description)"));
      search.appendChild(result);
      var lengths = element("ul", "seo-checks");
      problems += check(lengths, seo.title.verdict === "good", "Title: " + seo.title.message);
      problems += check(lengths, seo.description.verdict === "good", "Description: " + seo.description.message);
      search.appendChild(lengths);

      var share = section("Share card");
      var card = element("div", "seo-share-card");
      if (seo.share.image) {
        var picture = element("img", "seo-share-image");
        picture.src = seo.share.image;
        picture.alt = "";
        card.appendChild(picture);
      } else {
        card.appendChild(element("p", "seo-share-no-image", "No featured image (saved): the card is a small one, without a picture."));
      }
      var cardText = element("div", "seo-share-text");
      cardText.appendChild(element("p", "seo-share-host", seo.share.host));
      cardText.appendChild(element("p", "seo-share-title", seo.share.title || "(no title)"));
      cardText.appendChild(element("p", "seo-share-description", seo.share.description));
      card.appendChild(cardText);
      share.appendChild(card);

      var reading = section("Readability");
      var checks = element("ul", "seo-checks");
      problems += check(checks, seo.headings.length === 0, seo.headings.length ? "Headings:" : "Headings in order: no second H1, no level skipped.");
      seo.headings.forEach(function (problem) {
        checks.lastChild.appendChild(element("span", "seo-detail", problem));
      });
      var missingAlt = seo.images_without_alt;
      problems += check(checks, missingAlt.length === 0, missingAlt.length
        ? "Without alt text: " + missingAlt.join(", ") + ". Describe each image between the [ ] of ![ ]( )."
        : "Every image has alt text.");
      seo.missing_images.forEach(function (problem) {
        problems += check(checks, false, problem);
      });
      check(checks, true, "Reading time: about " + seo.reading.minutes + " min (" + seo.reading.words + " words, FAQ included).");
      reading.appendChild(checks);

      var faq = section("FAQ (FAQPage data)");
      if (seo.faq.entries.length) {
        var questions = element("ol", "seo-faq");
        seo.faq.entries.forEach(function (entry) {
          var item = element("li", "");
          item.appendChild(element("strong", "", entry.question));
          item.appendChild(element("span", "seo-detail", entry.answer));
          questions.appendChild(item);
        });
        faq.appendChild(questions);
      } else {
        faq.appendChild(element("p", "seo-detail", "No FAQ items: the page has no FAQPage data. Add questions under “FAQ items” below the form."));
      }
      var faqChecks = element("ul", "seo-checks");
      seo.faq.problems.forEach(function (problem) {
        problems += check(faqChecks, false, problem);
      });
      faq.appendChild(faqChecks);

      seoCount.textContent = problems ? " (" + problems + ")" : " ✓";
      seoCount.setAttribute("aria-label", problems ? problems + " to look at" : "nothing to fix");
    }

    // ---- Images in the body: chosen, dropped or pasted; described; uploaded; inserted. ----

    var imageUrl = config.getAttribute("data-body-image-url");
    var SAVE_FIRST = "Save the draft once, then add images to it.";
    var fileInput = document.createElement("input");
    fileInput.type = "file";
    fileInput.accept = "image/jpeg,image/png,image/webp,image/gif";
    fileInput.hidden = true;
    fileInput.setAttribute("aria-hidden", "true");
    fileInput.tabIndex = -1;
    toolbar.appendChild(fileInput);
    fileInput.addEventListener("change", function () {
      if (fileInput.files.length) {
        describeImage(fileInput.files[0]);
      }
      fileInput.value = "";
    });

    function chooseImage() {
      if (!imageUrl) {
        previewStatus.textContent = SAVE_FIRST;
        return;
      }
      fileInput.click();
    }

    function element(tag, className, text) {
      var node = document.createElement(tag);
      if (className) {
        node.className = className;
      }
      if (text) {
        node.textContent = text;
      }
      return node;
    }

    var dialog = null;
    var dialogFields = {};
    var dialogFile = null;
    var insertAt = null;

    function fieldRow(name, label, help, maxLength) {
      var row = element("div", "body-image-field");
      var labelNode = element("label", name === "alt" ? "required" : "", label);
      labelNode.htmlFor = "body-image-" + name;
      var input = element("input", "vTextField");
      input.type = "text";
      input.id = "body-image-" + name;
      input.maxLength = maxLength;
      if (name === "alt") {
        input.required = true;
        input.setAttribute("aria-required", "true");
      }
      var errors = element("ul", "errorlist");
      errors.id = "body-image-" + name + "-errors";
      errors.hidden = true;
      input.setAttribute("aria-describedby", errors.id + (help ? " body-image-" + name + "-help" : ""));
      row.appendChild(labelNode);
      row.appendChild(input);
      if (help) {
        var helpNode = element("div", "help", help);
        helpNode.id = "body-image-" + name + "-help";
        row.appendChild(helpNode);
      }
      row.appendChild(errors);
      input.addEventListener("input", function () {
        errors.hidden = true; // what it said was about the text before this change
        input.setAttribute("aria-invalid", "false");
      });
      dialogFields[name] = { input: input, errors: errors };
      return row;
    }

    function titledDialog(titleId, text) {
      var made = element("dialog", "body-dialog");
      made.setAttribute("aria-labelledby", titleId);
      var title = element("h2", "", text);
      title.id = titleId;
      made.appendChild(title);
      return made;
    }

    function buildDialog() {
      dialog = titledDialog("body-image-title", "Insert an image");
      var picked = element("div", "body-image-picked");
      dialogFields.thumbnail = element("img", "body-image-thumbnail");
      dialogFields.thumbnail.alt = "";
      dialogFields.name = element("p", "body-image-name");
      picked.appendChild(dialogFields.thumbnail);
      picked.appendChild(dialogFields.name);
      dialog.appendChild(picked);
      dialogFields.image = { errors: element("ul", "errorlist") };
      dialogFields.image.errors.setAttribute("role", "alert");
      dialogFields.image.errors.hidden = true;
      dialog.appendChild(dialogFields.image.errors);
      dialog.appendChild(fieldRow("alt", "Alt text", "What the image shows, for readers who cannot see it (required).", 250));
      dialog.appendChild(fieldRow("caption", "Caption", "Shown under the image (optional).", 250));
      dialog.appendChild(fieldRow("credit", "Credit", "Who made it, e.g. “Photo: Ada Lovelace” (optional).", 150));
      var buttons = element("div", "body-image-buttons");
      dialogFields.submit = element("button", "default", "Upload and insert");
      dialogFields.submit.type = "button";
      var cancel = element("button", "", "Cancel");
      cancel.type = "button";
      buttons.appendChild(dialogFields.submit);
      buttons.appendChild(cancel);
      dialog.appendChild(buttons);
      dialogFields.submit.addEventListener("click", uploadImage);
      cancel.addEventListener("click", function () {
        dialog.close();
      });
      dialog.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && event.target.tagName === "INPUT") {
          event.preventDefault();
          uploadImage();
        }
      });
      dialog.addEventListener("close", function () {
        body.focus();
      });
      document.body.appendChild(dialog);
    }

    function showErrors(errors) {
      ["image", "alt", "caption", "credit"].forEach(function (name) {
        var list = dialogFields[name].errors;
        var messages = (errors[name] || []).concat(name === "image" ? errors.__all__ || [] : []);
        list.textContent = "";
        messages.forEach(function (message) {
          list.appendChild(element("li", "", message.message || message));
        });
        list.hidden = messages.length === 0;
        if (dialogFields[name].input) {
          dialogFields[name].input.setAttribute("aria-invalid", messages.length ? "true" : "false");
        }
      });
    }

    function describeImage(file) {
      if (!imageUrl) {
        previewStatus.textContent = SAVE_FIRST;
        return;
      }
      if (!dialog) {
        buildDialog();
      }
      dialogFile = file;
      insertAt = [body.selectionStart, body.selectionEnd];
      dialogFields.name.textContent = (file.name || "Pasted image") + " (" + Math.ceil(file.size / 1024) + " KB)";
      dialogFields.thumbnail.hidden = true;
      if (/^image\//.test(file.type)) {
        // A data: address: the site's CSP allows it for images, not blob: ones.
        var reader = new FileReader();
        reader.addEventListener("load", function () {
          dialogFields.thumbnail.src = reader.result;
          dialogFields.thumbnail.hidden = false;
        });
        reader.readAsDataURL(file);
      }
      ["alt", "caption", "credit"].forEach(function (name) {
        dialogFields[name].input.value = "";
      });
      showErrors({});
      dialogFields.submit.disabled = false;
      dialog.showModal();
      dialogFields.alt.input.focus();
    }

    function uploadImage() {
      var alt = dialogFields.alt.input.value.trim();
      if (!alt) {
        showErrors({ alt: ["Describe the image for readers who cannot see it (alt text)."] });
        dialogFields.alt.input.focus();
        return;
      }
      var data = new FormData();
      data.append("image", dialogFile, dialogFile.name || "pasted-image." + (dialogFile.type.split("/")[1] || "png"));
      data.append("alt", alt);
      data.append("caption", dialogFields.caption.input.value);
      data.append("credit", dialogFields.credit.input.value);
      dialogFields.submit.disabled = true;
      dialogFields.submit.textContent = "Uploading…";
      fetch(imageUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfInput ? csrfInput.value : "" },
      })
        .then(function (response) {
          return response
            .json()
            .catch(function () {
              return { errors: { image: ["The upload failed (" + response.status + "): try again."] } };
            })
            .then(function (json) {
              return { ok: response.ok, json: json };
            });
        })
        .then(function (answer) {
          if (!answer.ok) {
            showErrors(answer.json.errors || { image: [answer.json.error || "The upload failed: try again."] });
            return;
          }
          dialog.close();
          body.setSelectionRange(insertAt[0], insertAt[1]);
          var inserted = answer.json.markdown + "\n\n";
          block(inserted, inserted.length, inserted.length)();
        })
        .catch(function () {
          showErrors({ image: ["Not uploaded: the connection failed. Try again when you are back online."] });
        })
        .then(function () {
          dialogFields.submit.disabled = false;
          dialogFields.submit.textContent = "Upload and insert";
        });
    }

    function imageFile(list) {
      return Array.prototype.filter.call(list || [], function (file) {
        return file.kind === undefined || file.kind === "file";
      })[0];
    }

    body.addEventListener("dragover", function (event) {
      if (Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
        event.preventDefault();
        body.classList.add("body-dropping");
      }
    });
    body.addEventListener("dragleave", function () {
      body.classList.remove("body-dropping");
    });
    body.addEventListener("drop", function (event) {
      body.classList.remove("body-dropping");
      var file = imageFile(event.dataTransfer.files);
      if (file) {
        event.preventDefault();
        describeImage(file);
      }
    });
    body.addEventListener("paste", function (event) {
      var file = event.clipboardData && imageFile(event.clipboardData.files);
      if (file) {
        event.preventDefault();
        describeImage(file);
      }
    });

    // ---- Links to other articles: found by title, written as [text](article:slug). ----

    var linksUrl = config.getAttribute("data-article-links-url");
    var picker = null;
    var pickerFields = {};
    var pickAt = null;
    var searchTimer = null;
    var latestSearch = 0;

    function pickArticle() {
      if (!picker) {
        buildPicker();
      }
      pickAt = [body.selectionStart, body.selectionEnd];
      pickerFields.query.value = "";
      picker.showModal();
      pickerFields.query.focus();
      searchArticles();
    }

    function buildPicker() {
      picker = titledDialog("body-link-title", "Link to an article");
      var row = element("div", "body-image-field");
      var label = element("label", "", "Find a published article by its title");
      label.htmlFor = "body-link-query";
      pickerFields.query = element("input", "vTextField");
      pickerFields.query.type = "search";
      pickerFields.query.id = "body-link-query";
      pickerFields.query.autocomplete = "off";
      row.appendChild(label);
      row.appendChild(pickerFields.query);
      picker.appendChild(row);
      pickerFields.status = element("p", "body-link-status");
      pickerFields.status.setAttribute("aria-live", "polite");
      picker.appendChild(pickerFields.status);
      pickerFields.results = element("ul", "body-link-results");
      pickerFields.results.setAttribute("aria-label", "Articles found");
      picker.appendChild(pickerFields.results);
      var buttons = element("div", "body-image-buttons");
      var cancel = element("button", "", "Cancel");
      cancel.type = "button";
      cancel.addEventListener("click", function () {
        picker.close();
      });
      buttons.appendChild(cancel);
      picker.appendChild(buttons);
      pickerFields.query.addEventListener("input", function () {
        window.clearTimeout(searchTimer);
        searchTimer = window.setTimeout(searchArticles, 200);
      });
      pickerFields.query.addEventListener("keydown", function (event) {
        var first = pickerFields.results.querySelector("button");
        if (event.key === "Enter") {
          event.preventDefault();
          if (first) {
            first.click();
          }
        } else if (event.key === "ArrowDown" && first) {
          event.preventDefault();
          first.focus();
        }
      });
      picker.addEventListener("close", function () {
        body.focus();
      });
      document.body.appendChild(picker);
    }

    function searchArticles() {
      var search = ++latestSearch;
      pickerFields.status.textContent = "Searching…";
      fetch(linksUrl + "?q=" + encodeURIComponent(pickerFields.query.value), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (answer) {
          if (search !== latestSearch) {
            return;
          }
          pickerFields.results.textContent = "";
          answer.articles.forEach(function (article) {
            var item = element("li", "");
            var button = element("button", "body-link-choice");
            button.type = "button";
            button.appendChild(element("span", "body-link-title", article.title));
            button.appendChild(element("span", "body-link-slug", "article:" + article.slug));
            button.addEventListener("click", function () {
              insertArticleLink(article);
            });
            item.appendChild(button);
            pickerFields.results.appendChild(item);
          });
          pickerFields.status.textContent = answer.articles.length
            ? answer.articles.length + " found: choose one."
            : "No published article has these words in its title.";
        })
        .catch(function () {
          if (search === latestSearch) {
            pickerFields.status.textContent = "The search failed: check the connection and type again.";
          }
        });
    }

    function insertArticleLink(article) {
      picker.close();
      body.focus();
      body.setSelectionRange(pickAt[0], pickAt[1]);
      var text = selected() || article.title.replace(/[\[\]\\]/g, "\\$&");
      replaceSelection("[" + text + "](article:" + article.slug + ")", 1, 1 + text.length);
    }

    // ---- Unsaved text: kept in this browser while typing, asked about before leaving. ----

    var AUTOSAVE_EVERY_MS = 20000;
    var draftKey = config.getAttribute("data-draft-key");
    var autosaveUrl = config.getAttribute("data-autosave-url");
    var changedSinceAutosave = false;
    var NEW_DRAFT_KEY = draftKey.replace(/:[^:]*$/, ":new");
    var unsaved = false;

    function textFields() {
      return Array.prototype.filter.call(
        form.querySelectorAll("input[type=text], textarea"),
        function (field) {
          return field.name && field.name.indexOf("__prefix__") === -1;
        }
      );
    }

    function currentValues() {
      var values = {};
      textFields().forEach(function (field) {
        values[field.name] = field.value;
      });
      return values;
    }

    function readDraft(key) {
      try {
        return JSON.parse(window.localStorage.getItem(key) || "null");
      } catch (error) {
        return null;
      }
    }

    function forget(key) {
      try {
        window.localStorage.removeItem(key);
      } catch (error) {
        // storage refused (private mode): nothing was kept
      }
    }

    function differs(draft) {
      var values = currentValues();
      return Object.keys(draft.values).some(function (name) {
        return name in values && values[name] !== draft.values[name];
      });
    }

    function keep() {
      unsaved = true;
      changedSinceAutosave = true;
      try {
        window.localStorage.setItem(
          draftKey,
          JSON.stringify({ savedAt: new Date().toISOString(), values: currentValues() })
        );
      } catch (error) {
        // storage full or refused: the warning before leaving still protects the text
      }
    }

    function offer(draft) {
      var note = document.createElement("div");
      note.className = "body-draft-offer";
      note.setAttribute("role", "alert");
      var text = document.createElement("p");
      text.textContent =
        "This browser kept changes that were not saved (" +
        new Date(draft.savedAt).toLocaleString() +
        ").";
      var restore = document.createElement("button");
      restore.type = "button";
      restore.textContent = "Restore them";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.textContent = "Discard";
      restore.addEventListener("click", function () {
        textFields().forEach(function (field) {
          if (field.name in draft.values) {
            field.value = draft.values[field.name];
          }
        });
        note.remove();
        keep();
        refreshPreview();
      });
      discard.addEventListener("click", function () {
        forget(draftKey);
        if (autosaveUrl) {
          send("DELETE");
        }
        note.remove();
      });
      note.appendChild(text);
      note.appendChild(restore);
      note.appendChild(discard);
      form.insertBefore(note, form.firstElementChild.nextSibling);
    }

    // Every so often the unsaved text also goes to the server, for another browser or device.
    function send(method, values) {
      return fetch(autosaveUrl, {
        method: method,
        body: values ? JSON.stringify(values) : null,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfInput ? csrfInput.value : "", "Content-Type": "application/json" },
      });
    }

    function autosave() {
      if (!changedSinceAutosave) {
        return;
      }
      changedSinceAutosave = false;
      send("POST", currentValues()).catch(function () {
        changedSinceAutosave = true; // offline: try again next time
      });
    }

    function serverDraft() {
      var element = document.getElementById("article-server-draft");
      try {
        return element ? JSON.parse(element.textContent) : null;
      } catch (error) {
        return null;
      }
    }

    // The newer of what this browser and the server kept, if it is not what the form shows.
    var draft = readDraft(draftKey);
    var fromServer = serverDraft();
    if (fromServer && (!draft || new Date(fromServer.savedAt) > new Date(draft.savedAt))) {
      draft = fromServer;
    }
    if (draft && draft.values && differs(draft)) {
      offer(draft);
    } else {
      forget(draftKey); // what it kept is what was saved
    }
    if (autosaveUrl) {
      window.setInterval(autosave, AUTOSAVE_EVERY_MS);
    }
    if (NEW_DRAFT_KEY !== draftKey) {
      var newDraft = readDraft(NEW_DRAFT_KEY);
      if (newDraft && newDraft.values && !differs(newDraft)) {
        forget(NEW_DRAFT_KEY); // the new article it kept was saved: this is it
      }
    }

    form.addEventListener("input", keep);
    form.addEventListener("submit", function () {
      unsaved = false; // the text stays kept until a page shows it saved
    });
    window.addEventListener("beforeunload", function (event) {
      if (unsaved) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
})();
