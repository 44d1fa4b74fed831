// "Get more information": buttons that are links to /get-info/ open the request form in a <dialog>
// instead. The form is fetched the first time a reader reaches for a button (so pages carry no form,
// token or cookie for it), and sent with fetch so that the thank-you message appears in place.
// Without JavaScript (or <dialog>) the links and /get-info/ keep working on their own.
(function () {
  "use strict";

  var dialog = document.querySelector("[data-lead-dialog]");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch || !window.FormData) {
    return;
  }
  var form = dialog.querySelector("[data-lead-form]");
  var fields = dialog.querySelector("[data-lead-fields]");
  var formPanel = dialog.querySelector("[data-lead-form-panel]");
  var message = dialog.querySelector("[data-lead-message]");
  var success = dialog.querySelector("[data-lead-success]");
  var submitButton = form.querySelector("[type=submit]");
  var pageArticle = dialog.getAttribute("data-lead-article") || "";
  var loading = null;
  var opener = null;

  function loadForm() {
    if (!loading) {
      var url = dialog.getAttribute("data-lead-form-url") +
        "?page=" + encodeURIComponent(window.location.pathname + window.location.search);
      loading = fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("The form could not be loaded: " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          fields.innerHTML = html;
          submitButton.disabled = false;
        })
        .catch(function (error) {
          loading = null;
          throw error;
        });
    }
    return loading;
  }

  function showMessage(text) {
    message.textContent = text;
    message.classList.toggle("d-none", !text);
  }

  function focusFirstField() {
    var first = fields.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus();
    }
  }

  function openDialog(trigger) {
    opener = trigger;
    if (!success.hidden) {
      // A second request from the same page starts from a fresh form.
      success.hidden = true;
      formPanel.hidden = false;
      loading = null;
    }
    showMessage("");
    dialog.showModal();
    loadForm()
      .then(function () {
        if (form.elements.article) {
          form.elements.article.value = trigger.getAttribute("data-lead-article") || pageArticle;
        }
        focusFirstField();
      })
      .catch(function () {
        // The page of its own still works.
        window.location.href = trigger.getAttribute("href");
      });
  }

  function focusFirstError() {
    var invalid = fields.querySelector(".is-invalid");
    var summary = fields.querySelector("[data-lead-error-summary]");
    (invalid || summary || fields).focus();
  }

  function send(event) {
    event.preventDefault();
    submitButton.disabled = true;
    showMessage("");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "X-CSRFToken": form.elements.csrfmiddlewaretoken.value,
      },
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (data.ok) {
          form.reset();
          formPanel.hidden = true;
          success.hidden = false;
          success.querySelector("[data-lead-success-heading]").focus();
        } else if (data.form_html) {
          fields.innerHTML = data.form_html;
          focusFirstError();
        } else {
          showMessage(data.message || "Something went wrong. Please try again.");
          message.focus();
        }
      })
      .catch(function () {
        // Let the browser send the form to /get-info/ itself, which answers with a page.
        form.removeEventListener("submit", send);
        form.submit();
      })
      .finally(function () {
        submitButton.disabled = false;
      });
  }

  function prefetch(event) {
    if (event.target.closest && event.target.closest("[data-lead-open]")) {
      loadForm().catch(function () {});
    }
  }

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-lead-open]");
    if (trigger) {
      event.preventDefault();
      openDialog(trigger);
      return;
    }
    if (event.target.closest("[data-lead-close]") && dialog.open) {
      dialog.close();
    }
  });
  document.addEventListener("pointerover", prefetch, { passive: true });
  document.addEventListener("focusin", prefetch);

  dialog.addEventListener("close", function () {
    if (opener) {
      opener.focus();
    }
  });

  form.addEventListener("submit", send);
})();
