#!/bin/bash

__tfs_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__tfs_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__tfs_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__tfs_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_tfs() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __tfs_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    init|add|modify|enable|disable|remove|list|show|run|kill|logs|history|status|events|next|daemon|prune|config|channel|import|export|apply|edit|top|nodes|migrate-store|help)
        # Offer subcommand argument completions
        "_tfs_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'init add modify enable disable remove list show run kill logs history status events next daemon prune config channel import export apply edit top nodes migrate-store help' -- "${cur}"))
        ;;
    esac
}

_tfs_init() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_tfs_add() {
    repeating_flags=()
    non_repeating_flags=(--disabled --version -h --help)
    repeating_options=(--owner --env --unset-env)
    non_repeating_options=(--home --database --rule --command --entry --title --description --tz --timeout --on-timeout --overlap --catch-up --catch-up-window --retries --retry-delay --jitter --workdir --alert-after --realert --alert-on --keep --keep-for --user --on-node --on-label --rerun-lost)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--rule')
        return
        ;;
    '--command')
        return
        ;;
    '--entry')
        return
        ;;
    '--title')
        return
        ;;
    '--description')
        return
        ;;
    '--owner')
        return
        ;;
    '--tz')
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion add -- --tz "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    '--timeout')
        return
        ;;
    '--on-timeout')
        __tfs_add_completions -W 'kill'$'\n''alert'
        return
        ;;
    '--overlap')
        __tfs_add_completions -W 'skip'$'\n''queue'$'\n''replace'$'\n''allow'
        return
        ;;
    '--catch-up')
        __tfs_add_completions -W 'none'$'\n''once'$'\n''all'
        return
        ;;
    '--catch-up-window')
        return
        ;;
    '--retries')
        return
        ;;
    '--retry-delay')
        return
        ;;
    '--jitter')
        return
        ;;
    '--env')
        return
        ;;
    '--unset-env')
        return
        ;;
    '--workdir')
        return
        ;;
    '--alert-after')
        return
        ;;
    '--realert')
        return
        ;;
    '--alert-on')
        __tfs_add_completions -W 'all'$'\n''entry-missing'$'\n''overlap'$'\n''failed'$'\n''timeout'$'\n''missed'$'\n''lost'$'\n''killed'$'\n''added'$'\n''modified'$'\n''deleted'$'\n''recovered'$'\n''still-failing'$'\n''system-error'$'\n''daemon-started'$'\n''started'$'\n''succeeded'
        return
        ;;
    '--keep')
        return
        ;;
    '--keep-for')
        return
        ;;
    '--user')
        return
        ;;
    '--on-node')
        return
        ;;
    '--on-label')
        return
        ;;
    '--rerun-lost')
        return
        ;;
    esac
}

_tfs_modify() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--owner --env --unset-env)
    non_repeating_options=(--home --database --rule --command --entry --title --description --tz --timeout --on-timeout --overlap --catch-up --catch-up-window --retries --retry-delay --jitter --workdir --alert-after --realert --alert-on --keep --keep-for --user --on-node --on-label --rerun-lost)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--rule')
        return
        ;;
    '--command')
        return
        ;;
    '--entry')
        return
        ;;
    '--title')
        return
        ;;
    '--description')
        return
        ;;
    '--owner')
        return
        ;;
    '--tz')
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion modify -- --tz "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    '--timeout')
        return
        ;;
    '--on-timeout')
        __tfs_add_completions -W 'kill'$'\n''alert'
        return
        ;;
    '--overlap')
        __tfs_add_completions -W 'skip'$'\n''queue'$'\n''replace'$'\n''allow'
        return
        ;;
    '--catch-up')
        __tfs_add_completions -W 'none'$'\n''once'$'\n''all'
        return
        ;;
    '--catch-up-window')
        return
        ;;
    '--retries')
        return
        ;;
    '--retry-delay')
        return
        ;;
    '--jitter')
        return
        ;;
    '--env')
        return
        ;;
    '--unset-env')
        return
        ;;
    '--workdir')
        return
        ;;
    '--alert-after')
        return
        ;;
    '--realert')
        return
        ;;
    '--alert-on')
        __tfs_add_completions -W 'all'$'\n''entry-missing'$'\n''overlap'$'\n''failed'$'\n''timeout'$'\n''missed'$'\n''lost'$'\n''killed'$'\n''added'$'\n''modified'$'\n''deleted'$'\n''recovered'$'\n''still-failing'$'\n''system-error'$'\n''daemon-started'$'\n''started'$'\n''succeeded'
        return
        ;;
    '--keep')
        return
        ;;
    '--keep-for')
        return
        ;;
    '--user')
        return
        ;;
    '--on-node')
        return
        ;;
    '--on-label')
        return
        ;;
    '--rerun-lost')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion modify -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_enable() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion enable -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_disable() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion disable -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_remove() {
    repeating_flags=()
    non_repeating_flags=(--purge --kill --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion remove -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_tfs_show() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion show -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_run() {
    repeating_flags=()
    non_repeating_flags=(--wait --here --force --follow --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion run -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_kill() {
    repeating_flags=()
    non_repeating_flags=(--disable --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database --run --signal --grace)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--run')
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion kill -- --run "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    '--signal')
        return
        ;;
    '--grace')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion kill -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_logs() {
    repeating_flags=()
    non_repeating_flags=(-f --follow -F --follow-task --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database --tail)
    __tfs_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--tail')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion logs -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion logs -- positional@1 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_history() {
    repeating_flags=()
    non_repeating_flags=(--files --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database --since --until --status --exit-code --trigger --limit)
    __tfs_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--since')
        return
        ;;
    '--until')
        return
        ;;
    '--status')
        __tfs_add_completions -W 'queued'$'\n''running'$'\n''succeeded'$'\n''failed'$'\n''killed'$'\n''timed-out'$'\n''lost'$'\n''skipped'$'\n''missed'
        return
        ;;
    '--exit-code')
        return
        ;;
    '--trigger')
        __tfs_add_completions -W 'schedule'$'\n''manual'$'\n''retry'$'\n''catch-up'
        return
        ;;
    '--limit')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion history -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion history -- positional@1 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_status() {
    repeating_flags=()
    non_repeating_flags=(--check --watch --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_tfs_events() {
    repeating_flags=()
    non_repeating_flags=(-f --follow --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database --type --since --limit)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--type')
        __tfs_add_completions -W 'entry-missing'$'\n''overlap'$'\n''failed'$'\n''timeout'$'\n''missed'$'\n''lost'$'\n''killed'$'\n''added'$'\n''modified'$'\n''deleted'$'\n''recovered'$'\n''still-failing'$'\n''system-error'$'\n''daemon-started'$'\n''started'$'\n''succeeded'$'\n''daemon-stopped'$'\n''enabled'$'\n''disabled'$'\n''configured'$'\n''pruned'$'\n''channel-added'$'\n''channel-removed'
        return
        ;;
    '--since')
        return
        ;;
    '--limit')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion events -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_next() {
    repeating_flags=()
    non_repeating_flags=(--all --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database -n --count --tz --from --limit)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '-n'|'--count')
        return
        ;;
    '--tz')
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion next -- --tz "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    '--from')
        return
        ;;
    '--limit')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion next -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_daemon() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--label)
    non_repeating_options=(--home --database --log-format --shutdown-grace --node)
    __tfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--log-format')
        return
        ;;
    '--shutdown-grace')
        return
        ;;
    '--node')
        return
        ;;
    '--label')
        return
        ;;
    esac
}

_tfs_prune() {
    repeating_flags=()
    non_repeating_flags=(--dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database --older-than --keep)
    __tfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--older-than')
        return
        ;;
    '--keep')
        return
        ;;
    esac
}

_tfs_config() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __tfs_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|get|set|unset)
        # Offer subcommand argument completions
        "_tfs_config_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list get set unset' -- "${cur}"))
        ;;
    esac
}

_tfs_config_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_tfs_config_get() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W 'task-root'$'\n''default-command'$'\n''default-entry'$'\n''timezone'$'\n''notify'$'\n''mail-from'$'\n''alert-interval'$'\n''retention'$'\n''max-parallel'$'\n''log-max'
        return
        ;;
    esac
}

_tfs_config_set() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W 'task-root'$'\n''default-command'$'\n''default-entry'$'\n''timezone'$'\n''notify'$'\n''mail-from'$'\n''alert-interval'$'\n''retention'$'\n''max-parallel'$'\n''log-max'
        return
        ;;
    esac
}

_tfs_config_unset() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W 'task-root'$'\n''default-command'$'\n''default-entry'$'\n''timezone'$'\n''notify'$'\n''mail-from'$'\n''alert-interval'$'\n''retention'$'\n''max-parallel'$'\n''log-max'
        return
        ;;
    esac
}

_tfs_channel() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __tfs_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|list|show|remove|test)
        # Offer subcommand argument completions
        "_tfs_channel_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add list show remove test' -- "${cur}"))
        ;;
    esac
}

_tfs_channel_add() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--header --email --on)
    non_repeating_options=(--home --database --command --webhook --preset --smtp --smtp-password --sendmail --tasks)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--command')
        return
        ;;
    '--webhook')
        return
        ;;
    '--preset')
        return
        ;;
    '--header')
        return
        ;;
    '--email')
        return
        ;;
    '--smtp')
        return
        ;;
    '--smtp-password')
        return
        ;;
    '--sendmail')
        return
        ;;
    '--on')
        return
        ;;
    '--tasks')
        return
        ;;
    esac
}

_tfs_channel_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_tfs_channel_show() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion channel show -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_channel_remove() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion channel remove -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_channel_test() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database --type)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--type')
        __tfs_add_completions -W 'entry-missing'$'\n''overlap'$'\n''failed'$'\n''timeout'$'\n''missed'$'\n''lost'$'\n''killed'$'\n''added'$'\n''modified'$'\n''deleted'$'\n''recovered'$'\n''still-failing'$'\n''system-error'$'\n''daemon-started'$'\n''started'$'\n''succeeded'$'\n''daemon-stopped'$'\n''enabled'$'\n''disabled'$'\n''configured'$'\n''pruned'$'\n''channel-added'$'\n''channel-removed'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion channel test -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_import() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __tfs_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    crontab)
        # Offer subcommand argument completions
        "_tfs_import_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'crontab' -- "${cur}"))
        ;;
    esac
}

_tfs_import_crontab() {
    repeating_flags=()
    non_repeating_flags=(--dry-run --skip-invalid --system --no-system --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database --prefix)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--prefix')
        return
        ;;
    esac
}

_tfs_export() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion export -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_apply() {
    repeating_flags=()
    non_repeating_flags=(--prune --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -o plusdirs -fX '!*.@(toml)'
        return
        ;;
    2)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion apply -- positional@1 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_edit() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __tfs_add_completions -W "$(__tfs_custom_complete ---completion edit -- positional@0 "${COMP_CWORD}" "$(__tfs_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_tfs_top() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database --count)
    __tfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--count')
        return
        ;;
    esac
}

_tfs_nodes() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database)
    __tfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    esac
}

_tfs_migrate-store() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--home --database --to)
    __tfs_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        return
        ;;
    '--database')
        return
        ;;
    '--to')
        return
        ;;
    esac
}

_tfs_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __tfs_offer_flags_options -1
}

complete -o filenames -F _tfs tfs
