//! The six templates Cairn ships with, one per kind of engagement an AI consultancy, a web
//! agency or a VFX studio runs most. They are data, not code paths: each is an ordinary
//! `TemplatePlan`, so a workspace can copy one, edit it and save it as its own.

use super::{BuiltinTemplate, MilestonePlan, SlotPlan, TaskPlan, TemplatePlan};
use crate::delivery::{Priority, Priority::*, ProjectType};

/// Every built-in template, in picker order.
pub fn builtins() -> Vec<BuiltinTemplate> {
    vec![
        ai_discovery(),
        poc_pilot(),
        implementation(),
        training_workshop(),
        website_build(),
        shot_production(),
    ]
}

/// The built-in template with this key, if any.
pub fn builtin(key: &str) -> Option<BuiltinTemplate> {
    builtins().into_iter().find(|t| t.key == key)
}

fn slot(key: &str, role: &str, department: &str) -> SlotPlan {
    SlotPlan {
        key: key.into(),
        role: role.into(),
        department: Some(department.into()),
    }
}

fn milestone(key: &str, offset_days: i32, name: &str, description: &str) -> MilestonePlan {
    MilestonePlan {
        key: key.into(),
        name: name.into(),
        description: description.into(),
        offset_days,
    }
}

/// One task; every built-in task belongs to a milestone, goes to a role slot and carries an
/// estimate, so a project made from a built-in is fully scheduled and staffed.
fn task(
    priority: Priority,
    offset_days: i32,
    milestone: &str,
    slot: &str,
    estimate_minutes: i32,
    title: &str,
    description: &str,
) -> TaskPlan {
    TaskPlan {
        title: title.into(),
        description: description.into(),
        priority,
        offset_days,
        milestone: Some(milestone.into()),
        slot: Some(slot.into()),
        estimate_minutes: Some(estimate_minutes),
    }
}

#[rustfmt::skip]
fn ai_discovery() -> BuiltinTemplate {
    BuiltinTemplate {
        key: "ai-discovery",
        name: "AI Discovery & Roadmap",
        description: "Four weeks from stakeholder interviews to a prioritised, costed AI roadmap.",
        project_type: ProjectType::Discovery,
        plan: TemplatePlan {
            slots: vec![
                slot("lead", "Lead consultant", "Delivery"),
                slot("analyst", "Business analyst", "Delivery"),
                slot("engineer", "AI engineer", "Engineering"),
            ],
            milestones: vec![
                milestone("kickoff", 2, "Kickoff complete", "Sponsor aligned on goals, scope and who we interview; access requested."),
                milestone("current-state", 8, "Current state understood", "Interviews done; workflows, data and systems mapped."),
                milestone("opportunities", 13, "Opportunities shortlisted", "Use cases scored for value and feasibility; top three spiked."),
                milestone("roadmap", 20, "Roadmap delivered", "Roadmap and business case presented to leadership."),
            ],
            tasks: vec![
                task(P1, 0, "kickoff", "lead", 120, "Kickoff meeting with the sponsor",
                    "Agree the **business goals**, scope boundaries and decision makers. Capture what a successful roadmap looks like to them."),
                task(P2, 1, "kickoff", "lead", 60, "Send pre-read and stakeholder questionnaire",
                    "Share a one-page overview of the engagement and a short questionnaire on pain points, data and past AI attempts."),
                task(P2, 1, "kickoff", "analyst", 60, "Schedule stakeholder interviews",
                    "Book 45-minute interviews with 6–10 people across operations, IT, data and leadership."),
                task(P1, 2, "kickoff", "engineer", 30, "Request data and systems access",
                    "Ask for read-only access to the key systems and sample data. Flag anything needing a **DPA** or security review early."),
                task(P1, 6, "current-state", "analyst", 600, "Run stakeholder interviews",
                    "Run and write up the interviews. Note workflows, volumes, pain points and any existing automation."),
                task(P2, 7, "current-state", "analyst", 480, "Map current workflows",
                    "Draw the as-is process for the three to five workflows that came up most, with volumes and hand-offs."),
                task(P1, 8, "current-state", "engineer", 720, "Audit data and systems",
                    "Assess data quality, availability and integration points. Summarise in a table: source, owner, quality, access."),
                task(P2, 10, "opportunities", "lead", 240, "Long-list AI use cases",
                    "Turn findings into a long list of candidate use cases, each with the problem, users and the data it needs."),
                task(P1, 12, "opportunities", "lead", 240, "Score use cases for value and feasibility",
                    "Score each use case on value, feasibility, risk and time to impact. Review the scoring with the sponsor."),
                task(P2, 13, "opportunities", "engineer", 720, "Feasibility spikes on the top three",
                    "Time-boxed experiments on the top three use cases to test data fitness and model quality. Record what was learned."),
                task(P1, 17, "roadmap", "lead", 600, "Draft roadmap and business case",
                    "Sequence the shortlisted use cases into phases with effort, cost, expected benefit and dependencies."),
                task(P2, 18, "roadmap", "analyst", 240, "Risk, governance and data-protection review",
                    "Check each roadmap item against data protection, the **EU AI Act** risk tiers and the client's own policies."),
                task(P0, 20, "roadmap", "lead", 120, "Present the roadmap to leadership",
                    "Walk leadership through the roadmap and business case; agree the first initiative and an owner."),
                task(P3, 20, "roadmap", "lead", 60, "Propose the next engagement",
                    "Send a short proposal for the first initiative (PoC or pilot) while momentum is high."),
            ],
            allow_due_before_start: false,
        },
    }
}

#[rustfmt::skip]
fn poc_pilot() -> BuiltinTemplate {
    BuiltinTemplate {
        key: "poc-pilot",
        name: "PoC / Pilot",
        description: "Six weeks to prove one AI use case with real users and measured results.",
        project_type: ProjectType::Poc,
        plan: TemplatePlan {
            slots: vec![
                slot("lead", "Delivery lead", "Delivery"),
                slot("engineer", "ML engineer", "Engineering"),
                slot("designer", "Product designer", "Design"),
            ],
            milestones: vec![
                milestone("scope", 3, "Scope and success criteria agreed", "Written success criteria, data access and a signed-off scope."),
                milestone("prototype", 13, "Working prototype", "End-to-end prototype with a baseline evaluation."),
                milestone("pilot", 23, "Pilot running with users", "Pilot users onboarded, usage and feedback tracked."),
                milestone("readout", 28, "Results readout", "Go/no-go decision on the evidence."),
            ],
            tasks: vec![
                task(P0, 2, "scope", "lead", 180, "Agree success criteria and metrics",
                    "Write down the **measurable** criteria for success (accuracy, time saved, adoption) and how each is measured."),
                task(P1, 3, "scope", "engineer", 120, "Confirm data access and security review",
                    "Get the pilot data and complete the client's security questionnaire. No production data leaves approved systems."),
                task(P2, 4, "prototype", "engineer", 240, "Set up the environment and repository",
                    "Create the repository, CI and a sandbox environment in the client's cloud account where required."),
                task(P1, 6, "prototype", "engineer", 480, "Build the evaluation set",
                    "Assemble 100–300 labelled examples with the client's experts. This set decides every later model choice."),
                task(P2, 9, "prototype", "designer", 480, "Design the pilot user flow",
                    "Sketch how pilot users will use the tool in their day and test the flow with two of them."),
                task(P1, 11, "prototype", "engineer", 1440, "Prototype the core pipeline",
                    "Build the end-to-end pipeline (retrieval, model calls, post-processing) behind a minimal interface."),
                task(P1, 13, "prototype", "engineer", 240, "Run the baseline evaluation",
                    "Score the prototype on the evaluation set and share the results and failure modes with the lead."),
                task(P1, 15, "pilot", "lead", 240, "Onboard pilot users",
                    "Run a short onboarding for the pilot group, explain what the tool is for and how to give feedback."),
                task(P2, 21, "pilot", "engineer", 960, "Improve quality from pilot feedback",
                    "Iterate on prompts, retrieval and models against the evaluation set; never ship a change that lowers the score."),
                task(P2, 22, "pilot", "designer", 360, "Collect usage and feedback",
                    "Track usage weekly and interview three pilot users. Summarise what helps, what confuses and what is missing."),
                task(P2, 25, "readout", "engineer", 180, "Cost and latency report",
                    "Estimate running costs at production volume and measure latency; note options to reduce both."),
                task(P0, 28, "readout", "lead", 240, "Results readout and go/no-go",
                    "Present results against the agreed success criteria and recommend go, pivot or stop."),
                task(P3, 28, "readout", "engineer", 240, "Hand over code and documentation",
                    "Transfer the repository, evaluation set and a README covering setup, architecture and known limits."),
            ],
            allow_due_before_start: false,
        },
    }
}

#[rustfmt::skip]
fn implementation() -> BuiltinTemplate {
    BuiltinTemplate {
        key: "implementation",
        name: "Implementation / Rollout",
        description: "Design, build, test and roll out a solution, with hypercare after go-live.",
        project_type: ProjectType::Implementation,
        plan: TemplatePlan {
            slots: vec![
                slot("lead", "Delivery lead", "Delivery"),
                slot("engineer", "Engineer", "Engineering"),
                slot("enablement", "Change and enablement lead", "Delivery"),
            ],
            milestones: vec![
                milestone("design", 5, "Solution design signed off", "Architecture, integrations and acceptance criteria approved by the client."),
                milestone("build", 25, "Build complete", "All in-scope features built and deployed to staging."),
                milestone("uat", 35, "User acceptance passed", "Client testers signed off the acceptance criteria."),
                milestone("golive", 40, "Go-live", "Live in production for all users in scope."),
                milestone("hypercare", 50, "Hypercare closed", "Two weeks of close support done; handed over to business as usual."),
            ],
            tasks: vec![
                task(P1, 1, "design", "lead", 120, "Kickoff and RACI",
                    "Confirm scope, team, ways of working and who is **responsible, accountable, consulted and informed**."),
                task(P1, 4, "design", "engineer", 720, "Write the solution design",
                    "Document architecture, integrations, data flows, security and environments. Review with the client's IT."),
                task(P1, 5, "design", "lead", 240, "Agree acceptance criteria",
                    "Turn requirements into testable acceptance criteria the client's testers will sign off in UAT."),
                task(P2, 8, "build", "engineer", 480, "Set up environments and CI/CD",
                    "Provision staging and production, pipelines and secrets management; deployments must be repeatable."),
                task(P1, 18, "build", "engineer", 2880, "Build core features",
                    "Build the in-scope features in short iterations and demo each one to the client."),
                task(P1, 22, "build", "engineer", 1440, "Build integrations",
                    "Connect the source and target systems, with retries, logging and alerts for failures."),
                task(P2, 25, "build", "enablement", 480, "Migrate and validate data",
                    "Run the data migration on staging and reconcile record counts and key figures with the client."),
                task(P2, 28, "uat", "enablement", 480, "Write training material and guides",
                    "Short how-to guides and a recorded walkthrough for each user group."),
                task(P1, 33, "uat", "lead", 960, "Run user acceptance testing",
                    "Support client testers through the acceptance criteria; log and triage every defect."),
                task(P1, 35, "uat", "engineer", 720, "Fix UAT defects",
                    "Fix blocking and major defects found in UAT; agree with the client which minor ones can wait."),
                task(P2, 37, "golive", "enablement", 480, "Train users",
                    "Run training sessions for each user group and record attendance."),
                task(P0, 39, "golive", "lead", 240, "Go/no-go and cutover plan",
                    "Walk through the cutover checklist and rollback plan with the client and get a go decision."),
                task(P0, 40, "golive", "engineer", 480, "Deploy to production",
                    "Execute the cutover, smoke-test in production and announce go-live."),
                task(P2, 48, "hypercare", "engineer", 960, "Hypercare support",
                    "Daily check-ins and fast fixes for two weeks after go-live."),
                task(P3, 50, "hypercare", "lead", 180, "Handover and lessons learned",
                    "Hand over to the client's support team with runbooks, and hold a short retrospective."),
            ],
            allow_due_before_start: false,
        },
    }
}

#[rustfmt::skip]
fn training_workshop() -> BuiltinTemplate {
    BuiltinTemplate {
        key: "training-workshop",
        name: "Training / Workshop",
        description: "Prepare, deliver and follow up a workshop; the start date is the workshop day.",
        project_type: ProjectType::Training,
        plan: TemplatePlan {
            slots: vec![
                slot("facilitator", "Lead facilitator", "Delivery"),
                slot("cofacilitator", "Co-facilitator", "Engineering"),
                slot("coordinator", "Coordinator", "Operations"),
            ],
            milestones: vec![
                milestone("agenda", -15, "Agenda agreed", "Learning goals, audience and agenda agreed with the sponsor."),
                milestone("materials", -3, "Materials ready", "Slides, exercises and logistics ready; dry run done."),
                milestone("workshop", 0, "Workshop day", "The workshop is delivered."),
                milestone("followup", 5, "Follow-up sent", "Materials, feedback summary and next steps sent."),
            ],
            tasks: vec![
                task(P1, -20, "agenda", "facilitator", 60, "Briefing call with the sponsor",
                    "Agree the learning goals, audience, level and what participants should be able to do afterwards."),
                task(P2, -16, "agenda", "coordinator", 60, "Send the pre-workshop survey",
                    "Ask participants about their role, experience and what they want to learn; summarise for the facilitators."),
                task(P1, -15, "agenda", "facilitator", 180, "Draft the agenda",
                    "A timed agenda with exercises and breaks, shared with the sponsor for sign-off."),
                task(P1, -12, "materials", "coordinator", 120, "Book the venue and send invitations",
                    "Confirm room or video link, catering and accessibility needs; send **calendar invitations** with joining details."),
                task(P1, -8, "materials", "cofacilitator", 720, "Build hands-on exercises",
                    "Prepare exercises with sample data and accounts; every exercise must work offline if the network fails."),
                task(P1, -5, "materials", "facilitator", 720, "Prepare slides and facilitator notes",
                    "Slides in the client's style where asked, with speaker notes and timings."),
                task(P2, -3, "materials", "facilitator", 180, "Dry run",
                    "Run the workshop end to end with the co-facilitator and cut whatever overruns."),
                task(P2, -3, "materials", "coordinator", 120, "Print and ship materials",
                    "Handouts, name badges and any hardware, delivered to the venue the day before."),
                task(P1, -1, "workshop", "cofacilitator", 60, "Technical check",
                    "Test the room, screen, audio, Wi-Fi and every participant account."),
                task(P0, 0, "workshop", "facilitator", 480, "Deliver the workshop",
                    "Run the day. Note questions that come up for the follow-up."),
                task(P2, 2, "followup", "coordinator", 60, "Send slides and recordings",
                    "Share slides, exercise solutions and recordings with participants."),
                task(P2, 4, "followup", "coordinator", 120, "Summarise participant feedback",
                    "Collect the feedback survey and summarise scores and comments for the sponsor."),
                task(P3, 5, "followup", "facilitator", 60, "Propose follow-up sessions",
                    "Suggest next steps, such as an advanced session or office hours, based on the feedback."),
            ],
            allow_due_before_start: true,
        },
    }
}

#[rustfmt::skip]
fn website_build() -> BuiltinTemplate {
    BuiltinTemplate {
        key: "website-build",
        name: "Website Build",
        description: "From sitemap to launch: content, design, build, QA and go-live of a website.",
        project_type: ProjectType::Implementation,
        plan: TemplatePlan {
            slots: vec![
                slot("pm", "Project manager", "Delivery"),
                slot("designer", "Designer", "Design"),
                slot("developer", "Developer", "Engineering"),
                slot("content", "Content strategist", "Content"),
            ],
            milestones: vec![
                milestone("plan", 5, "Sitemap and content plan approved", "Sitemap, page list and content owners agreed."),
                milestone("design", 15, "Designs approved", "Key page designs and the design system signed off."),
                milestone("build", 30, "Build complete", "All pages built on staging with final content."),
                milestone("launch", 38, "Launch", "Site live, redirects in place, analytics recording."),
            ],
            tasks: vec![
                task(P1, 1, "plan", "pm", 120, "Kickoff and requirements workshop",
                    "Agree goals, audiences, must-have features and integrations (CMS, forms, analytics)."),
                task(P2, 3, "plan", "content", 360, "Audit existing content",
                    "Inventory the current site and mark each page keep, rewrite or drop; note the top pages by traffic."),
                task(P1, 5, "plan", "content", 240, "Sitemap and content plan",
                    "Draft the sitemap and a content plan naming the owner and deadline for every page."),
                task(P2, 8, "design", "designer", 480, "Moodboard and style direction",
                    "Two or three style directions from the brand guidelines for the client to choose from."),
                task(P1, 13, "design", "designer", 1440, "Design key page templates",
                    "Home, a content page, a listing and a contact page, for mobile and desktop."),
                task(P2, 15, "design", "designer", 480, "Design system and components",
                    "Colours, type scale, spacing and components documented for the developers."),
                task(P2, 17, "build", "developer", 360, "Set up CMS, hosting and staging",
                    "Install the CMS, configure hosting, backups and a staging site behind a password."),
                task(P1, 25, "build", "developer", 2880, "Build templates and components",
                    "Build the designed templates as reusable CMS components; accessible to **WCAG 2.2 AA**."),
                task(P1, 27, "build", "content", 960, "Write and load content",
                    "Write or edit copy, source images with alt text, and load everything into the CMS."),
                task(P2, 30, "build", "developer", 240, "Forms, analytics and consent",
                    "Connect forms to the client's inbox or CRM, set up analytics and a cookie consent banner."),
                task(P1, 33, "launch", "pm", 480, "QA across browsers and devices",
                    "Test every page on current browsers and phones; check links, forms, speed and accessibility."),
                task(P1, 35, "launch", "developer", 180, "SEO checks and redirects",
                    "Map old URLs to new ones with 301 redirects, and check titles, meta descriptions and the sitemap."),
                task(P2, 36, "launch", "pm", 120, "CMS training for the client",
                    "Show the client's editors how to update pages and publish news; share a short guide."),
                task(P0, 38, "launch", "developer", 240, "Launch",
                    "Switch DNS, verify SSL, redirects and analytics, and announce the launch."),
            ],
            allow_due_before_start: false,
        },
    }
}

#[rustfmt::skip]
fn shot_production() -> BuiltinTemplate {
    BuiltinTemplate {
        key: "shot-production",
        name: "Shot Production",
        description: "Turnover to final delivery for a batch of VFX shots, with client reviews.",
        project_type: ProjectType::Production,
        plan: TemplatePlan {
            slots: vec![
                slot("producer", "VFX producer", "Production"),
                slot("supervisor", "VFX supervisor", "VFX"),
                slot("compositor", "Compositor", "VFX"),
                slot("cg", "CG artist", "CG"),
            ],
            milestones: vec![
                milestone("turnover", 1, "Plates turned over", "Plates, references and the edit received and checked."),
                milestone("temps", 8, "Temps delivered", "First temp versions delivered for the cut."),
                milestone("review", 15, "Client review", "Work-in-progress versions reviewed and notes received."),
                milestone("finals", 22, "Finals delivered", "Final versions delivered, QC'd and approved."),
            ],
            tasks: vec![
                task(P1, 0, "turnover", "producer", 120, "Ingest plates and check metadata",
                    "Ingest the turnover, check frame ranges, handles, resolution and colour space against the EDL."),
                task(P1, 1, "turnover", "supervisor", 240, "Shot breakdown and bids",
                    "Break down every shot into tasks (track, roto, CG, comp) and confirm the bid with the producer."),
                task(P2, 3, "temps", "cg", 480, "Matchmove and camera track",
                    "Solve the camera for every shot that needs CG and publish the cameras and lens distortion."),
                task(P2, 4, "temps", "compositor", 960, "Roto and paint prep",
                    "Roto and clean-up passes needed before comp; flag shots that need more than the bid allows."),
                task(P1, 8, "temps", "compositor", 960, "Temp comps",
                    "Quick comps good enough for the editor to cut with; label them **TEMP** in the slate."),
                task(P2, 10, "review", "cg", 1440, "CG look development",
                    "Build and light the CG elements against the plate lighting and references."),
                task(P2, 12, "review", "supervisor", 240, "Internal dailies",
                    "Review versions with the team every day and give notes before anything goes to the client."),
                task(P1, 14, "review", "compositor", 1920, "Comp work-in-progress versions",
                    "Full comps integrating CG, roto and paint, ready for client review."),
                task(P1, 15, "review", "producer", 120, "Submit versions for client review",
                    "Send the review package with version numbers, notes sheet and a review link."),
                task(P1, 19, "finals", "compositor", 1440, "Address client notes",
                    "Work through the notes; the supervisor checks each one before the next submission."),
                task(P1, 21, "finals", "supervisor", 240, "Technical QC",
                    "Check frame range, resolution, colour space, naming and that no frame has artefacts."),
                task(P0, 22, "finals", "producer", 120, "Deliver finals",
                    "Deliver EXRs and QuickTimes to the client's spec and get written approval for each shot."),
                task(P3, 22, "finals", "producer", 60, "Archive shots",
                    "Archive the working files, caches and renders to long-term storage and free up the disk."),
            ],
            allow_due_before_start: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn the_six_builtins_have_their_keys_names_and_types() {
        let got: Vec<_> = builtins()
            .iter()
            .map(|t| (t.key, t.name, t.project_type))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "ai-discovery",
                    "AI Discovery & Roadmap",
                    ProjectType::Discovery
                ),
                ("poc-pilot", "PoC / Pilot", ProjectType::Poc),
                (
                    "implementation",
                    "Implementation / Rollout",
                    ProjectType::Implementation
                ),
                (
                    "training-workshop",
                    "Training / Workshop",
                    ProjectType::Training
                ),
                (
                    "website-build",
                    "Website Build",
                    ProjectType::Implementation
                ),
                (
                    "shot-production",
                    "Shot Production",
                    ProjectType::Production
                ),
            ]
        );
    }

    #[test]
    fn every_builtin_validates() {
        for t in builtins() {
            assert_eq!(t.plan.validate(), Ok(()), "{}", t.key);
        }
    }

    #[test]
    fn builtins_have_a_realistic_shape() {
        for t in builtins() {
            let p = &t.plan;
            assert!((2..=4).contains(&p.slots.len()), "{} slots", t.key);
            assert!(
                (3..=5).contains(&p.milestones.len()),
                "{} milestones",
                t.key
            );
            assert!((8..=15).contains(&p.tasks.len()), "{} tasks", t.key);
            assert!(!t.description.is_empty());
            for task in &p.tasks {
                assert!(
                    !task.description.trim().is_empty(),
                    "{}: {}",
                    t.key,
                    task.title
                );
                assert!(task.milestone.is_some() && task.slot.is_some());
            }
            for m in &p.milestones {
                assert!(!m.description.trim().is_empty(), "{}: {}", t.key, m.name);
            }
            // Every slot gets work, and the plan uses the whole priority range sensibly.
            for s in &p.slots {
                assert!(
                    p.tasks
                        .iter()
                        .any(|task| task.slot.as_ref() == Some(&s.key)),
                    "{}: slot {} has no task",
                    t.key,
                    s.key
                );
            }
            assert!(p.tasks.iter().any(|task| task.priority == P0), "{}", t.key);
        }
    }

    #[test]
    fn only_the_workshop_is_scheduled_before_its_start() {
        for t in builtins() {
            let p = &t.plan;
            let negative = p.tasks.iter().map(|x| x.offset_days).any(|o| o < 0)
                || p.milestones.iter().any(|m| m.offset_days < 0);
            let workshop = t.key == "training-workshop";
            assert_eq!(p.allow_due_before_start, workshop, "{}", t.key);
            assert_eq!(negative, workshop, "{}", t.key);
        }
    }

    #[test]
    fn no_task_is_due_after_its_milestone() {
        for t in builtins() {
            for task in &t.plan.tasks {
                let m = t
                    .plan
                    .milestones
                    .iter()
                    .find(|m| Some(&m.key) == task.milestone.as_ref())
                    .unwrap();
                assert!(
                    task.offset_days <= m.offset_days,
                    "{}: {} is due after {}",
                    t.key,
                    task.title,
                    m.name
                );
            }
        }
    }

    #[test]
    fn milestones_are_in_date_order() {
        for t in builtins() {
            let offsets: Vec<i32> = t.plan.milestones.iter().map(|m| m.offset_days).collect();
            assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{}", t.key);
        }
    }

    #[test]
    fn builtin_finds_by_key_only() {
        assert_eq!(builtin("poc-pilot").unwrap().name, "PoC / Pilot");
        assert!(builtin("PoC-Pilot").is_none());
        assert!(builtin("").is_none());
    }

    #[test]
    fn a_workshop_on_a_monday_prepares_in_the_weeks_before() {
        let workshop_day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let plan = builtin("training-workshop").unwrap().plan;
        let dry_run = plan.tasks.iter().find(|t| t.title == "Dry run").unwrap();
        assert_eq!(
            dry_run.due_on(workshop_day, &[1, 2, 3, 4, 5]),
            NaiveDate::from_ymd_opt(2026, 11, 18).unwrap()
        );
    }

    #[test]
    fn plans_survive_a_json_round_trip() {
        for t in builtins() {
            let json = serde_json::to_string(&t.plan).unwrap();
            let back: TemplatePlan = serde_json::from_str(&json).unwrap();
            assert_eq!(back, t.plan, "{}", t.key);
        }
    }
}
