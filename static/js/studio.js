/* Studio: reorder modules and lessons by drag and drop, or by keyboard (focus one, then Alt + Arrow
   up or down). Every list with data-reorder-url holds items with data-id; after a move the complete
   new order is POSTed with the CSRF token read from the page's forms. Without JavaScript the Move up
   and Move down buttons do the same with a round trip. */
(function () {
  "use strict";
  var status = document.querySelector("[data-reorder-status]");
  var dragged = null;

  function token() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function itemsOf(list) {
    return Array.prototype.filter.call(list.children, function (child) { return child.hasAttribute("data-id"); });
  }

  function itemOf(list, node) {
    while (node && node !== list) {
      if (node.parentElement === list && node.hasAttribute && node.hasAttribute("data-id")) { return node; }
      node = node.parentElement;
    }
    return null;
  }

  function announce(message) {
    if (status && message) { status.textContent = message; }
  }

  function refreshMoveButtons(list) {
    var items = itemsOf(list);
    items.forEach(function (item, index) {
      var form = item.querySelector(":scope > .move, :scope > .module-head .move");
      if (!form) { return; }
      form.querySelector("[value=up]").disabled = index === 0;
      form.querySelector("[value=down]").disabled = index === items.length - 1;
    });
  }

  function save(list, moved) {
    var items = itemsOf(list);
    var body = new URLSearchParams();
    body.set("csrfmiddlewaretoken", token());
    body.set("order", items.map(function (item) { return item.getAttribute("data-id"); }).join(","));
    refreshMoveButtons(list);
    fetch(list.getAttribute("data-reorder-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token() },
      body: body
    }).then(function (response) {
      if (!response.ok) { throw new Error("refused"); }
      var template = status ? status.getAttribute("data-moved") : "";
      announce(template
        .replace("{title}", moved.getAttribute("data-label") || "")
        .replace("{position}", String(items.indexOf(moved) + 1))
        .replace("{total}", String(items.length)));
    }).catch(function () {
      announce(status ? status.getAttribute("data-failed") : "");
      window.setTimeout(function () { window.location.reload(); }, 1500);
    });
  }

  function clearMarks(list) {
    itemsOf(list).forEach(function (item) { item.classList.remove("drop-before", "drop-after"); });
  }

  function enable(list) {
    list.addEventListener("keydown", function (event) {
      var item = event.target;
      if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) { return; }
      if (item.parentElement !== list || !item.hasAttribute("data-id")) { return; }
      event.preventDefault();
      event.stopPropagation();
      var items = itemsOf(list);
      var index = items.indexOf(item);
      if (event.key === "ArrowUp" && index > 0) {
        list.insertBefore(item, items[index - 1]);
      } else if (event.key === "ArrowDown" && index < items.length - 1) {
        list.insertBefore(item, items[index + 1].nextSibling);
      } else {
        return;
      }
      item.focus();
      save(list, item);
    });

    list.addEventListener("dragstart", function (event) {
      var item = itemOf(list, event.target);
      if (!item) { return; }
      event.stopPropagation();
      dragged = item;
      item.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.getAttribute("data-id"));
    });

    list.addEventListener("dragover", function (event) {
      if (!dragged || dragged.parentElement !== list) { return; }
      var item = itemOf(list, event.target);
      event.preventDefault();
      event.stopPropagation();
      clearMarks(list);
      if (!item || item === dragged) { return; }
      var box = item.getBoundingClientRect();
      item.classList.add(event.clientY > box.top + box.height / 2 ? "drop-after" : "drop-before");
    });

    list.addEventListener("drop", function (event) {
      if (!dragged || dragged.parentElement !== list) { return; }
      var item = itemOf(list, event.target);
      event.preventDefault();
      event.stopPropagation();
      if (item && item !== dragged) {
        list.insertBefore(dragged, item.classList.contains("drop-after") ? item.nextSibling : item);
        save(list, dragged);
      }
      clearMarks(list);
    });

    list.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("is-dragging"); }
      dragged = null;
      clearMarks(list);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-reorder-url]"), enable);
})();
