// Article page: count the view with a beacon, and offer "Copy link".
// The count comes from the page's script, not the page view, so pages served from a cache still count.
(function () {
  "use strict";

  function sendViewBeacon() {
    var article = document.querySelector("[data-view-beacon]");
    if (!article) {
      return;
    }
    var url = article.getAttribute("data-view-beacon");
    if (window.fetch) {
      // The answer carries the count as it is now: the page itself may come from the cache.
      fetch(url, { method: "POST", credentials: "same-origin", keepalive: true })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          var item = document.querySelector(".view-count-item");
          if (data && item) {
            // An empty label: the count is still too small to show (article_tags.views_label).
            item.querySelector(".view-count").textContent = data.label;
            item.hidden = !data.label;
          }
        })
        .catch(function () {});
    } else if (navigator.sendBeacon) {
      navigator.sendBeacon(url);
    }
  }

  function whenVisible(callback) {
    // A prerendered page that the reader never opens must not count.
    if (document.prerendering) {
      document.addEventListener("prerenderingchange", callback, { once: true });
    } else {
      callback();
    }
  }

  function setUpCopyLink() {
    var button = document.querySelector(".copy-link");
    if (!button || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy-url")).then(function () {
        button.textContent = "Link copied";
      });
    });
  }

  whenVisible(sendViewBeacon);
  setUpCopyLink();
})();
