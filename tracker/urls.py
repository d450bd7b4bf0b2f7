"""The app's addresses. Each view checks its permission itself (see tracker.views)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from tracker.views import (
    briefings,
    dashboard,
    exports,
    follow_ups,
    imports,
    lists,
    methodology,
    pledges,
    proposals,
    records,
)

urlpatterns = [
    path("", pledges.home, name="home"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("methodology/", methodology.methodology, name="methodology"),
    path("pledges/", pledges.pledge_list, name="pledge_list"),
    path("pledges/export.<str:fmt>", exports.export_pledges, name="export_pledges"),
    path("pledges/briefing/", briefings.list_briefing, name="list_briefing"),
    path("entities/<int:pk>/briefing/", briefings.entity_briefing, name="entity_briefing"),
    path("statements/<slug:slug>/briefing/", briefings.statement_briefing, name="statement_briefing"),
    path("themes/<int:pk>/briefing/", briefings.theme_briefing, name="theme_briefing"),
    path("pledges/suggestions/<str:name>/", pledges.suggestions, name="suggestions"),
    path("pledges/<int:pk>/", pledges.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pk>/history.csv", exports.pledge_history_csv, name="pledge_history_csv"),
    path("pledges/<int:pk>/follow-ups/", follow_ups.log_follow_up, name="log_follow_up"),
    path("pledges/<int:pk>/evidence/", follow_ups.add_evidence, name="add_evidence"),
    path("pledges/<int:pk>/citable-evidence/", follow_ups.citable_evidence, name="citable_evidence"),
    path(
        "pledges/<int:pk>/updates/<int:update_pk>/retract/", follow_ups.retract_update, name="retract_update"
    ),
    path("pledges/<int:pk>/reviews/", follow_ups.record_review, name="record_review"),
    path(
        "pledges/<int:pk>/reviews/<int:review_pk>/retract/", follow_ups.retract_review, name="retract_review"
    ),
    path(
        "pledges/<int:pk>/evidence/<int:evidence_pk>/withdraw/",
        follow_ups.withdraw_evidence,
        name="withdraw_evidence",
    ),
    path("queue/", pledges.analyst_queue, name="analyst_queue"),
    path("statements/", lists.statement_list, name="statement_list"),
    path("entities/", lists.entity_list, name="entity_list"),
    path("speakers/", lists.speaker_list, name="speaker_list"),
    path("statements/import/", imports.import_statement, name="import_statement"),
    path("statements/<slug:slug>/", records.statement_detail, name="statement_detail"),
    path("statements/<slug:slug>/pledges/new/", proposals.new_pledge, name="new_pledge"),
    path(
        "statements/<slug:slug>/proposals/<int:pk>/reject/", proposals.reject_proposal, name="reject_proposal"
    ),
    path("entities/<int:pk>/", records.entity_detail, name="entity_detail"),
    path("speakers/<int:pk>/", records.speaker_detail, name="speaker_detail"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
]
