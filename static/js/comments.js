// "Reply" under a comment: move the "Leave a Reply" form below it, and back with "Cancel reply".
// Without JavaScript the Reply link opens ?replytocom=<id>, which the server answers the same way.
(function () {
  "use strict";

  var respond = document.getElementById("respond");
  var home = document.getElementById("respond-home");
  var form = document.getElementById("commentform");
  if (!respond || !home || !form) {
    return;
  }
  var parentInput = form.querySelector("input[name='parent']");
  var heading = respond.querySelector(".comment-reply-heading");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var textarea = form.querySelector("textarea");

  function moveTo(link) {
    var body = link.closest(".comment-body");
    body.parentNode.insertBefore(respond, body.nextSibling);
    parentInput.value = link.getAttribute("data-reply-to");
    heading.textContent = "Reply to " + link.getAttribute("data-reply-name");
    cancel.hidden = false;
    if (textarea) {
      textarea.focus();
    }
  }

  function moveHome() {
    home.parentNode.insertBefore(respond, home.nextSibling);
    parentInput.value = "";
    heading.textContent = heading.getAttribute("data-default");
    cancel.hidden = true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comment-reply-link");
    if (link) {
      event.preventDefault();
      moveTo(link);
      return;
    }
    if (event.target.closest("#cancel-comment-reply-link")) {
      event.preventDefault();
      var replied = document.getElementById("comment-" + parentInput.value);
      moveHome();
      if (replied) {
        replied.scrollIntoView({ block: "nearest" });
      }
    }
  });
})();
