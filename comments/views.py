from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from articles.models import Article
from articles.views import ArticleDetailView
from articles.visitors import client_address

from .clients import client_hash, rate_limit_exceeded
from .emails import comment_id_from_unsubscribe_token
from .forms import CommentForm
from .models import Comment, comments_open
from .readers import blank_comment_form, forget_author, remember_author, remember_submission
from .services import PARENT_MESSAGE, comment_submit, comment_unsubscribe


class CommentCreateView(View):
    """The "Leave a Reply" form posts here; it answers like the article page when invalid.

    A GET shows the article page with the form in it: where the reader's browser runs no script,
    the "Write a comment" and "Reply" links of a shared (cached) page lead here.
    """

    http_method_names = ["get", "head", "post"]

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        article_view, article = self.article_view(request, slug)
        article_view.object = article
        context = article_view.get_context_data(object=article)
        context["comments_show_form"] = True
        response = article_view.render_to_response(context)
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "private, no-store"
        return response

    def article_view(self, request: HttpRequest, slug: str) -> tuple[ArticleDetailView, Article]:
        article_view = ArticleDetailView()
        article_view.setup(request, slug=slug)
        return article_view, article_view.get_object()  # 404: drafts, scheduled and unknown

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        article_view, article = self.article_view(request, slug)
        if not comments_open(article):
            return render(
                request, "comments/comments_closed.html", {"article": article}, status=403
            )
        ip_address = client_address(request)
        client = client_hash(ip_address)
        if rate_limit_exceeded(client):
            response = render(
                request, "comments/rate_limited.html", {"article": article}, status=429
            )
            response["Retry-After"] = "60"
            return response

        form = CommentForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                comment = comment_submit(
                    article=article,
                    body=form.cleaned_data["body"],
                    name=form.cleaned_data.get("author_name", ""),
                    email=form.cleaned_data.get("author_email", ""),
                    url=form.cleaned_data.get("author_url", ""),
                    parent=self.get_parent(form.cleaned_data["parent"]),
                    notify_replies=form.cleaned_data["notify_replies"],
                    user=request.user,
                    ip_address=ip_address,
                    honeypot=form.cleaned_data["homepage"],
                    seconds_to_submit=form.seconds_to_submit,
                    client=client,
                )
            except ValidationError as error:
                self.add_errors(form, error)
            else:
                return self.submitted(request, form, comment)

        article_view.object = article
        context = article_view.get_context_data(object=article)
        context["comment_form"] = form
        context["comments_show_form"] = True
        return article_view.render_to_response(context)

    def get_parent(self, parent_id: int | None) -> Comment | None:
        if parent_id is None:
            return None
        parent = Comment.objects.select_related("parent").filter(pk=parent_id).first()
        if parent is None:
            raise ValidationError({"parent": PARENT_MESSAGE})
        return parent

    def add_errors(self, form: CommentForm, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            visible = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if visible else None, messages)

    def submitted(self, request: HttpRequest, form: CommentForm, comment: Comment) -> HttpResponse:
        response = HttpResponseRedirect(comment.get_absolute_url())
        remember_submission(request, response, comment.pk)
        if form.is_staff_author:
            return response
        if form.cleaned_data["remember"]:
            remember_author(
                response,
                name=form.cleaned_data["author_name"],
                email=form.cleaned_data["author_email"],
                url=form.cleaned_data["author_url"],
            )
        else:
            forget_author(response)
        return response


@require_GET
def comment_form(request: HttpRequest, slug: str) -> HttpResponse:
    """The "Leave a Reply" form alone, with this reader's token and saved details: comments.js
    puts it into a page served from the shared cache when the reader reaches the discussion."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if not comments_open(article):
        return HttpResponse("Comments are closed.", status=403, content_type="text/plain")
    reply_to = None
    parent_id = request.GET.get("replytocom", "")
    if parent_id.isascii() and parent_id.isdigit():
        reply_to = Comment.objects.approved().filter(article=article, pk=int(parent_id)).first()
    response = render(
        request,
        "comments/comment_form.html",
        {"article": article, "form": blank_comment_form(request, reply_to=reply_to)},
    )
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The unsubscribe link in reply e-mails, signed, so it needs no login.

    Opening the link (GET) only asks for confirmation: mail scanners and link previews follow
    links, and must not unsubscribe anyone. The button posts back to the same address, as does a
    mail client's one-click unsubscribe (RFC 8058, `List-Unsubscribe-Post`), which sends no CSRF
    token: the signed token in the address is what authorises the request.
    """
    comment_id = comment_id_from_unsubscribe_token(token)
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None or not comment.author_email:
        return render(request, "comments/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        comment_unsubscribe(comment=comment)
        template = "comments/unsubscribed.html"
    else:
        template = "comments/unsubscribe_confirm.html"
    response = render(request, template, {"article": comment.article})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
