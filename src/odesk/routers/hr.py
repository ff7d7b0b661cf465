"""HR API: users, companies, teams, jobs, offers, engagements, contracts (v1, v2, v3)."""

from __future__ import annotations

from typing import Any

from odesk.exceptions import ApiValueError
from odesk.namespaces import Namespace, keep_given, keep_truthy, key
from odesk.utils import assert_parameter


def _page(offset: Any, size: Any) -> str:
    return f"{offset};{size}"


def _strict(name: str):
    def unwrap(result: Any) -> Any:
        return result[name]

    return unwrap


class HR_V1(Namespace):
    """HR API version 1."""

    api_url = "hr/"
    version = 1

    def invite_to_interview(
        self, job_id: Any, cover: Any, profile_key: Any = None, provider_reference: Any = None
    ) -> Any:
        """Invite a contractor (by profile key or provider reference) to interview.

        Raises ApiValueError when neither is given.
        """
        if profile_key is None and provider_reference is None:
            raise ApiValueError("Either one of the parameters profile_key or provider_reference should be provided")
        data = keep_truthy(profile_key=profile_key, provider__reference=provider_reference)
        data["cover"] = cover
        return self._call("POST", f"jobs/{job_id}/candidates", data)


class HR(Namespace):
    """HR API version 2."""

    api_url = "hr/"
    version = 2

    JOB_TYPES = ("hourly", "fixed-price")
    JOB_VISIBILITY_OPTIONS = ("public", "private", "odesk", "invite-only")
    JOB_STATUSES = ("open", "filled", "cancelled")
    JOB_KEEP_OPEN_OPTIONS = ("yes", "no")
    CONTRACT_REASON_OPTIONS = (
        "API_REAS_MISREPRESENTED_SKILLS",
        "API_REAS_CONTRACTOR_NOT_RESPONSIVE",
        "API_REAS_HIRED_DIFFERENT",
        "API_REAS_JOB_COMPLETED_SUCCESSFULLY",
        "API_REAS_WORK_NOT_NEEDED",
        "API_REAS_UNPROFESSIONAL_CONDUCT",
    )
    CONTRACT_WOULD_HIRE_AGAIN_OPTONS = ("yes", "no")

    # -- user roles and users --------------------------------------------------

    def get_user_roles(self) -> Any:
        """Return the authenticated user's roles (``userroles``)."""
        return self._call("GET", "userroles", unwrap=key("userroles"))

    def get_user(self, user_reference: Any) -> Any:
        """Return one user."""
        return self._call("GET", f"users/{user_reference}", unwrap=key("user"))

    def get_user_me(self) -> Any:
        """Return the authenticated user."""
        return self._call("GET", "users/me", unwrap=key("user"))

    # -- companies --------------------------------------------------------------

    def get_companies(self) -> Any:
        """Return the list of companies the user can see (KeyError if the answer has none)."""
        return self._call("GET", "companies", unwrap=_strict("companies"))

    def get_company(self, company_referece: Any) -> Any:
        """Return one company."""
        return self._call("GET", f"companies/{company_referece}", unwrap=key("company"))

    def get_company_teams(self, company_referece: Any) -> Any:
        """Return the teams of a company."""
        return self._call("GET", f"companies/{company_referece}/teams", unwrap=key("teams"))

    def get_company_users(self, company_referece: Any, active: bool = True) -> Any:
        """Return the active (or inactive) users of a company."""
        data = {"status_in_company": "active" if active else "inactive"}
        return self._call("GET", f"companies/{company_referece}/users", data, key("users"))

    # -- teams ------------------------------------------------------------------

    def post_team_adjustment(
        self, team_reference: Any, engagement_reference: Any, comments: Any, charge_amount: Any, notes: Any = None
    ) -> Any:
        """Pay a bonus or adjustment on an engagement; return the ``adjustment``.

        Raises ApiValueError when ``charge_amount`` is missing or zero.
        """
        if charge_amount is None or charge_amount == 0:
            raise ApiValueError(f"Incorrect value for charge_amount: {charge_amount!r}, it must be a non-zero amount")
        data = {"engagement__reference": engagement_reference, "comments": comments, "charge_amount": charge_amount}
        data.update(keep_truthy(notes=notes))
        return self._call("POST", f"teams/{team_reference}/adjustments", data, key("adjustment"))

    def get_teams(self) -> Any:
        """Return the teams the user can see."""
        return self._call("GET", "teams", unwrap=key("teams"))

    def get_team(self, team_reference: Any, include_users: bool = False) -> Any:
        """Return one team (with its users when ``include_users``)."""
        return self._call("GET", f"teams/{team_reference}", {"include_users": str(include_users)}, key("team"))

    def get_team_users(self, team_reference: Any, active: bool = True) -> Any:
        """Return the active (or inactive) users of a team."""
        data = {"status_in_team": "active" if active else "inactive"}
        return self._call("GET", f"teams/{team_reference}/users", data, key("users"))

    # -- jobs -------------------------------------------------------------------

    def get_jobs(
        self,
        buyer_team_reference: Any,
        include_sub_teams: Any = False,
        status: Any = None,
        created_by: Any = None,
        created_time_from: Any = None,
        created_time_to: Any = None,
        page_offset: int = 0,
        page_size: int = 20,
        order_by: Any = None,
    ) -> Any:
        """Return the jobs of a buyer team (``jobs``: lister and job list)."""
        data: dict[str, Any] = {
            "buyer_team__reference": buyer_team_reference,
            "include_sub_teams": str(include_sub_teams) if include_sub_teams else "False",
        }
        data.update(
            keep_truthy(
                status=status,
                created_by=created_by,
                created_time_from=created_time_from,
                created_time_to=created_time_to,
            )
        )
        data["page"] = _page(page_offset, page_size)
        data.update(keep_given(order_by=order_by))
        return self._call("GET", "jobs", data, key("jobs"))

    def get_job(self, job_reference: Any) -> Any:
        """Return one job."""
        return self._call("GET", f"jobs/{job_reference}", unwrap=key("job"))

    def post_job(
        self,
        buyer_team_reference: Any,
        title: Any,
        job_type: Any,
        description: Any,
        visibility: Any,
        category: Any = None,
        subcategory: Any = None,
        budget: Any = None,
        duration: Any = None,
        start_date: Any = None,
        skills: Any = None,
        subcategory2: Any = None,
    ) -> Any:
        """Post a job; return the whole answer (``job`` with its reference).

        Raises ApiValueError for an unknown ``job_type`` or ``visibility``, when
        neither category+subcategory nor subcategory2 is given, or when neither
        budget nor duration is given.
        """
        assert_parameter("job_type", job_type, self.JOB_TYPES)
        assert_parameter("visibility", visibility, self.JOB_VISIBILITY_OPTIONS)
        if (category is None or subcategory is None) and subcategory2 is None:
            raise ApiValueError("Either one of category and subcategory, or subcategory2 should be provided")
        if budget is None and duration is None:
            raise ApiValueError("Either one of budget or duration parameters should be provided")
        data: dict[str, Any] = {
            "buyer_team__reference": buyer_team_reference,
            "title": title,
            "job_type": job_type,
            "description": description,
            "visibility": visibility,
        }
        data.update(
            keep_truthy(
                category=category,
                subcategory=subcategory,
                subcategory2=subcategory2,
                budget=budget,
                duration=duration,
                start_date=start_date,
            )
        )
        if skills:
            data["skills"] = ";".join(skills)
        return self._call("POST", "jobs", data)

    def update_job(
        self,
        job_id: Any,
        buyer_team_reference: Any,
        title: Any,
        description: Any,
        visibility: Any,
        category: Any = None,
        subcategory: Any = None,
        budget: Any = None,
        duration: Any = None,
        start_date: Any = None,
        status: Any = None,
    ) -> Any:
        """Update a job; return the whole answer.

        Raises ApiValueError for an unknown ``visibility``, when neither budget
        nor duration is given, or when ``status`` is missing or unknown.
        """
        assert_parameter("visibility", visibility, self.JOB_VISIBILITY_OPTIONS)
        if budget is None and duration is None:
            raise ApiValueError("Either one of budget or duration parameters should be provided")
        if not status:
            raise ApiValueError('Missing required parameter "status"')
        assert_parameter("status", status, self.JOB_STATUSES)
        data: dict[str, Any] = {
            "buyer_team__reference": buyer_team_reference,
            "title": title,
            "description": description,
            "visibility": visibility,
        }
        # unlike 0.5.8, an omitted category/subcategory is left out rather than sent as null
        data.update(keep_given(category=category, subcategory=subcategory))
        data.update(keep_truthy(budget=budget, duration=duration, start_date=start_date))
        data["status"] = status
        return self._call("PUT", f"jobs/{job_id}", data)

    def delete_job(self, job_id: Any, reason_code: Any) -> Any:
        """Cancel a job with a reason code (67, 51, 49, 41, 34); return the whole answer."""
        return self._call("DELETE", f"jobs/{job_id}", {"reason_code": reason_code})

    # -- offers -----------------------------------------------------------------

    def get_offers(
        self,
        buyer_team_reference: Any,
        include_sub_teams: Any = None,
        provider_ref: Any = None,
        profile_key: Any = None,
        job_ref: Any = None,
        agency_ref: Any = None,
        status: Any = None,
        created_time_from: Any = None,
        created_time_to: Any = None,
        page_offset: int = 0,
        page_size: int = 20,
        order_by: Any = None,
    ) -> Any:
        """Return the offers of a buyer team (``offers``)."""
        data: dict[str, Any] = {"buyer_team__reference": buyer_team_reference}
        data.update(
            keep_truthy(
                include_sub_teams=include_sub_teams,
                provider__reference=provider_ref,
                profile_key=profile_key,
                job__reference=job_ref,
                agency_team__reference=agency_ref,
                status=status,
                created_time_from=created_time_from,
                created_time_to=created_time_to,
            )
        )
        data["page"] = _page(page_offset, page_size)
        data.update(keep_given(order_by=order_by))
        return self._call("GET", "offers", data, key("offers"))

    def get_offer(self, offer_reference: Any) -> Any:
        """Return one offer."""
        return self._call("GET", f"offers/{offer_reference}", unwrap=key("offer"))

    def post_offer(
        self,
        job_reference: Any,
        provider_team_reference: Any = None,
        provider_reference: Any = None,
        profile_key: Any = None,
        message_from_buyer: Any = None,
        engagement_title: Any = None,
        attached_doc: Any = None,
        fixed_charge_amount_agreed: Any = None,
        fixed_pay_amount_agreed: Any = None,
        fixed_price_upfront_payment: Any = None,
        hourly_pay_rate: Any = None,
        weekly_salary_charge_amount: Any = None,
        weekly_salary_pay_amount: Any = None,
        weekly_stipend_hours: Any = None,
        weekly_hours_limit: Any = None,
        start_date: Any = None,
        keep_open: Any = None,
    ) -> Any:
        """Make an offer on a job; return the whole answer.

        Raises ApiValueError when neither profile_key nor provider_reference is
        given, or for a ``keep_open`` other than yes/no.
        """
        if profile_key is None and provider_reference is None:
            raise ApiValueError("Either one of the parameters profile_key or provider_reference should be provided")
        if keep_open:
            assert_parameter("keep_open", keep_open, self.JOB_KEEP_OPEN_OPTIONS)
        data: dict[str, Any] = {"job__reference": job_reference}
        data.update(
            keep_truthy(
                provider_team__reference=provider_team_reference,
                provider__reference=provider_reference,
                profile_key=profile_key,
                message_from_buyer=message_from_buyer,
                engagement_title=engagement_title,
                attached_doc=attached_doc,
                fixed_charge_amount_agreed=fixed_charge_amount_agreed,
                fixed_pay_amount_agreed=fixed_pay_amount_agreed,
                fixed_price_upfront_payment=fixed_price_upfront_payment,
                hourly_pay_rate=hourly_pay_rate,
                weekly_salary_charge_amount=weekly_salary_charge_amount,
                weekly_salary_pay_amount=weekly_salary_pay_amount,
                weekly_stipend_hours=weekly_stipend_hours,
                weekly_hours_limit=weekly_hours_limit,
                start_date=start_date,
                keep_open=keep_open,
            )
        )
        return self._call("POST", "offers", data)

    # -- engagements and contracts ---------------------------------------------

    def get_engagements(
        self,
        buyer_team_reference: Any = None,
        include_sub_teams: Any = None,
        provider_reference: Any = None,
        profile_key: Any = None,
        job_reference: Any = None,
        agency_team_reference: Any = None,
        status: Any = None,
        created_time_from: Any = None,
        created_time_to: Any = None,
        page_offset: int = 0,
        page_size: int = 20,
        order_by: Any = None,
    ) -> Any:
        """Return engagements matching the filters (``engagements``)."""
        data = keep_truthy(
            buyer_team__reference=buyer_team_reference,
            include_sub_teams=include_sub_teams,
            profile_key=profile_key,
            provider_reference=provider_reference,
            provider__reference=provider_reference,
            job__reference=job_reference,
            agency_team_reference=agency_team_reference,
            status=status,
            created_time_from=created_time_from,
            created_time_to=created_time_to,
        )
        data["page"] = _page(page_offset, page_size)
        data.update(keep_given(order_by=order_by))
        return self._call("GET", "engagements", data, key("engagements"))

    def get_engagement(self, engagement_reference: Any) -> Any:
        """Return one engagement."""
        return self._call("GET", f"engagements/{engagement_reference}", unwrap=key("engagement"))

    def suspend_contract(self, contract_reference: Any, message: Any) -> Any:
        """Suspend a contract; return the whole answer."""
        return self._call("PUT", f"contracts/{contract_reference}/suspend", {"message": message})

    def restart_contract(self, contract_reference: Any, message: Any) -> Any:
        """Restart a suspended contract; return the whole answer."""
        return self._call("PUT", f"contracts/{contract_reference}/restart", {"message": message})

    def end_contract(
        self, contract_reference: Any, reason: Any, would_hire_again: Any, fb_scores: Any = None, fb_comment: Any = None
    ) -> Any:
        """End a contract with a reason and optional feedback; return the whole answer.

        ``fb_scores`` maps wire keys such as ``'fb_scores[3]'`` to scores.
        Raises ApiValueError for an unknown reason or would_hire_again.
        """
        assert_parameter("reason", reason, self.CONTRACT_REASON_OPTIONS)
        assert_parameter("would_hire_again", would_hire_again, self.CONTRACT_WOULD_HIRE_AGAIN_OPTONS)
        data: dict[str, Any] = {"reason": reason, "would_hire_again": would_hire_again}
        if fb_scores:
            data.update(fb_scores)
        data.update(keep_truthy(fb_comment=fb_comment))
        return self._call("DELETE", f"contracts/{contract_reference}", data)


class HR_V3(Namespace):
    """HR API version 3: applications, fixed-price milestones and submissions."""

    api_url = "hr/"
    version = 3

    def list_client_applications(
        self,
        buyer_team__reference: Any,
        job_key: Any,
        status: Any = None,
        profile_key: Any = None,
        agency_team__reference: Any = None,
        order_by: Any = None,
        page_offset: Any = None,
        page_size: Any = None,
    ) -> Any:
        """Return the job applications of a job, as the client (whole answer)."""
        data: dict[str, Any] = {"buyer_team__reference": buyer_team__reference, "job_key": job_key}
        data.update(
            keep_truthy(
                status=status, profile_key=profile_key, agency_team__reference=agency_team__reference, order_by=order_by
            )
        )
        # 0.5.8 sent "None;None" when paging was omitted; send paging only when asked for
        if page_offset is not None or page_size is not None:
            data["page"] = _page(page_offset or 0, page_size if page_size is not None else 20)
        return self._call("GET", "clients/applications", data)

    def get_client_application(self, application_id: Any, buyer_team__reference: Any) -> Any:
        """Return one job application, as the client (whole answer)."""
        return self._call(
            "GET", f"clients/applications/{application_id}", {"buyer_team__reference": buyer_team__reference}
        )

    def list_freelancer_applications(self, status: Any = None) -> Any:
        """Return the freelancer's applications (status: interviews, invites, active)."""
        return self._call("GET", "contractors/applications", keep_truthy(status=status))

    def get_freelancer_application(self, application_id: Any) -> Any:
        """Return one application, as the freelancer (whole answer)."""
        return self._call("GET", f"contractors/applications/{application_id}")

    def create_milestone(
        self, contract_reference: Any, milestone_description: Any, deposit_amount: Any, due_date: Any = None
    ) -> Any:
        """Create a milestone (due_date as mm-dd-yyyy); return the whole answer."""
        data: dict[str, Any] = {
            "contract_reference": contract_reference,
            "milestone_description": milestone_description,
            "deposit_amount": deposit_amount,
        }
        data.update(keep_truthy(due_date=due_date))
        return self._call("POST", "fp/milestones", data)

    def edit_milestone(
        self,
        milestone_id: Any,
        milestone_description: Any = None,
        deposit_amount: Any = None,
        due_date: Any = None,
        message: Any = None,
    ) -> Any:
        """Edit a milestone; return the whole answer."""
        data: dict[str, Any] = {"milestone_id": milestone_id}
        data.update(
            keep_truthy(
                milestone_description=milestone_description,
                deposit_amount=deposit_amount,
                due_date=due_date,
                message=message,
            )
        )
        return self._call("PUT", f"fp/milestones/{milestone_id}", data)

    def activate_milestone(self, milestone_id: Any, message: Any = None) -> Any:
        """Activate (fund) a milestone; return the whole answer."""
        data: dict[str, Any] = {"milestone_id": milestone_id}
        data.update(keep_truthy(message=message))
        return self._call("PUT", f"fp/milestones/{milestone_id}/activate", data)

    def approve_milestone(
        self,
        milestone_id: Any,
        amount: Any = None,
        bonus: Any = None,
        pay_comments: Any = None,
        underpayment_reason: Any = None,
        note2contractor: Any = None,
    ) -> Any:
        """Approve a milestone and pay it; return the whole answer."""
        data: dict[str, Any] = {"milestone_id": milestone_id}
        data.update(
            keep_truthy(
                amount=amount,
                bonus=bonus,
                pay_comments=pay_comments,
                underpayment_reason=underpayment_reason,
                note2contractor=note2contractor,
            )
        )
        return self._call("PUT", f"fp/milestones/{milestone_id}/approve", data)

    def delete_milestone(self, milestone_id: Any) -> Any:
        """Delete a milestone; return the whole answer."""
        return self._call("DELETE", f"fp/milestones/{milestone_id}", {})

    def request_submission_approval(self, milestone_id: Any, note2client: Any, amount: Any) -> Any:
        """Submit work on a milestone for approval; return the whole answer."""
        return self._call(
            "POST", "fp/submissions", {"milestone_id": milestone_id, "note2client": note2client, "amount": amount}
        )

    def approve_submission(
        self,
        submission_id: Any,
        amount: Any,
        bonus: Any = None,
        pay_comments: Any = None,
        underpayment_reason: Any = None,
        note2contractor: Any = None,
    ) -> Any:
        """Approve a submission and pay it; return the whole answer."""
        data: dict[str, Any] = {"submission_id": submission_id, "amount": amount}
        data.update(
            keep_truthy(
                bonus=bonus,
                pay_comments=pay_comments,
                underpayment_reason=underpayment_reason,
                note2contractor=note2contractor,
            )
        )
        return self._call("PUT", f"fp/submissions/{submission_id}/approve", data)

    def reject_submission(self, submission_id: Any, note2contractor: Any) -> Any:
        """Reject a submission; return the whole answer."""
        return self._call(
            "PUT",
            f"fp/submissions/{submission_id}/reject",
            {"submission_id": submission_id, "note2contractor": note2contractor},
        )

    def get_milestone_submissions(self, milestone_id: Any) -> Any:
        """Return the submissions of a milestone (whole answer)."""
        return self._call("GET", f"fp/milestones/{milestone_id}/submissions")

    def get_active_milestone(self, contract_reference: Any) -> Any:
        """Return the active milestone of a contract (whole answer)."""
        return self._call("GET", f"fp/milestones/statuses/active/contracts/{contract_reference}")
