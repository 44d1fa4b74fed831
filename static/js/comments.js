// The "Leave a Reply" form under an article.
// A page served from the shared cache carries no form (a form holds a per-reader token): the form is
// fetched when the reader nears the discussion, or reaches for "Write a comment" or "Reply".
// "Reply" moves the form below the comment, "Cancel reply" moves it back.
// Without JavaScript those links open the comment page (/articles/<slug>/comments/), which has the form.
(function () {
  "use strict";

  var respond = document.getElementById("respond");
  var home = document.getElementById("respond-home");
  if (!respond || !home) {
    return;
  }
  var heading = respond.querySelector(".comment-reply-heading");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var slot = respond.querySelector(".comment-form-slot");
  var loading = null;

  function commentForm() {
    return document.getElementById("commentform");
  }

  // Resolves with the form, fetching it first if the page came without one.
  function formReady() {
    if (commentForm()) {
      return Promise.resolve(commentForm());
    }
    if (!loading) {
      loading = fetch(respond.getAttribute("data-form-url"), {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("The comment form could not be loaded: " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          if (!commentForm()) {
            slot.innerHTML = html;
          }
          return commentForm();
        })
        .catch(function (error) {
          loading = null; // the links still lead to the comment page
          throw error;
        });
    }
    return loading;
  }

  function moveTo(link, form) {
    var body = link.closest(".comment-body");
    body.parentNode.insertBefore(respond, body.nextSibling);
    form.querySelector("input[name='parent']").value = link.getAttribute("data-reply-to");
    heading.textContent = "Reply to " + link.getAttribute("data-reply-name");
    cancel.hidden = false;
    focusText(form);
  }

  function moveHome(form) {
    home.parentNode.insertBefore(respond, home.nextSibling);
    if (form) {
      form.querySelector("input[name='parent']").value = "";
    }
    heading.textContent = heading.getAttribute("data-default");
    cancel.hidden = true;
  }

  function focusText(form) {
    var textarea = form.querySelector("textarea");
    if (textarea) {
      textarea.focus();
    }
  }

  if (!commentForm() && "IntersectionObserver" in window) {
    var observer = new IntersectionObserver(
      function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          formReady().catch(function () {});
        }
      },
      { rootMargin: "600px 0px" }
    );
    observer.observe(respond);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comment-reply-link, .comment-form-placeholder a");
    if (link) {
      event.preventDefault();
      formReady().then(
        function (form) {
          if (link.classList.contains("comment-reply-link")) {
            moveTo(link, form);
          } else {
            focusText(form);
          }
        },
        function () {
          window.location.href = link.href;
        }
      );
      return;
    }
    if (event.target.closest("#cancel-comment-reply-link")) {
      event.preventDefault();
      var form = commentForm();
      var parentId = form ? form.querySelector("input[name='parent']").value : "";
      var replied = parentId ? document.getElementById("comment-" + parentId) : null;
      moveHome(form);
      if (replied) {
        replied.scrollIntoView({ block: "nearest" });
      }
    }
  });
})();
